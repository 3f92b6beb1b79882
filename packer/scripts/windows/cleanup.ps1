# Leaves nothing of the build in the image, then generalizes it for the cloud it was
# built on ($env:PACKER_BUILDER_TYPE, set by Packer): temporary files, cloud credentials,
# runner registrations and event logs go; the WinRM access Packer used (HTTPS listener,
# Basic auth, firewall rule: bootstrap-winrm.ps1) is closed at the image's first boot, by
# a one-shot startup task (closing it now would cut Packer's own session); EC2Launch v2
# (Windows Server 2022/2025) or GCESysprep prepare first boot.
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
$closeWinRM = @'
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Continue'
Get-ChildItem -Path 'WSMan:\localhost\Listener' |
    Where-Object { $_.Keys -contains 'Transport=HTTPS' } |
    Remove-Item -Recurse -Force
Set-Item -Path 'WSMan:\localhost\Service\Auth\Basic' -Value $false
Remove-NetFirewallRule -DisplayName 'WinRM over HTTPS (Packer)'
Unregister-ScheduledTask -TaskName 'IngotCloseWinRM' -Confirm:$false
Remove-Item -Path 'C:\ingot\close-winrm.ps1' -Force
'@
New-Item -ItemType Directory -Path 'C:\ingot' -Force | Out-Null
Set-Content -Path 'C:\ingot\close-winrm.ps1' -Value $closeWinRM -Encoding UTF8
$action = New-ScheduledTaskAction -Execute 'powershell.exe' `
    -Argument '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File C:\ingot\close-winrm.ps1'
Register-ScheduledTask -TaskName 'IngotCloseWinRM' -Action $action -Trigger (New-ScheduledTaskTrigger -AtStartup) `
    -User 'SYSTEM' -RunLevel Highest -Force | Out-Null

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
