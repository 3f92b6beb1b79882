# Leaves nothing of the build in the image, then generalizes it for the cloud it was
# built on ($env:PACKER_BUILDER_TYPE, set by Packer): temporary files, cloud credentials,
# runner registrations and event logs go; EC2Launch v2 or GCESysprep prepare first boot.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$paths = @(
    "$env:TEMP\*",
    'C:\Windows\Temp\*',
    "$env:USERPROFILE\.aws",
    "$env:APPDATA\gcloud",
    'C:\actions-runner\.credentials',
    'C:\actions-runner\.credentials_rsaparams',
    'C:\actions-runner\.runner'
)
foreach ($path in $paths) {
    Remove-Item -Path $path -Recurse -Force -ErrorAction SilentlyContinue
}
Get-WinEvent -ListLog * -ErrorAction SilentlyContinue |
    Where-Object { $_.RecordCount -gt 0 -and $_.IsEnabled } |
    ForEach-Object { [System.Diagnostics.Eventing.Reader.EventLogSession]::GlobalSession.ClearLog($_.LogName) }

switch ($env:PACKER_BUILDER_TYPE) {
    'amazon-ebs' {
        $ec2launch = Join-Path $env:ProgramFiles 'Amazon\EC2Launch\EC2Launch.exe'
        & $ec2launch reset --block
        & $ec2launch sysprep --shutdown=false --block
        if ($LASTEXITCODE -ne 0) { throw "EC2Launch sysprep exited with $LASTEXITCODE" }
    }
    'googlecompute' {
        & GCESysprep -no_shutdown
        if ($LASTEXITCODE -ne 0) { throw "GCESysprep exited with $LASTEXITCODE" }
    }
    default { throw "unknown builder type '$($env:PACKER_BUILDER_TYPE)'; expected amazon-ebs or googlecompute" }
}
Write-Output 'caches and credentials removed; image generalized'
