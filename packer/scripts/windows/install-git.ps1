# Installs Git for Windows $env:GIT_VERSION silently, refusing the installer unless its
# SHA-256 is $env:GIT_SHA256 (from the Git for Windows release page).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (-not $env:GIT_VERSION) { throw 'GIT_VERSION is required, e.g. 2.47.1' }
if (-not $env:GIT_SHA256) { throw 'GIT_SHA256 is required (the Git for Windows release page lists it)' }

$installer = Join-Path $env:TEMP "Git-$($env:GIT_VERSION)-64-bit.exe"
$url = "https://github.com/git-for-windows/git/releases/download/v$($env:GIT_VERSION).windows.1/Git-$($env:GIT_VERSION)-64-bit.exe"
Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing

$actual = (Get-FileHash -Path $installer -Algorithm SHA256).Hash.ToLowerInvariant()
if ($actual -ne $env:GIT_SHA256.ToLowerInvariant()) {
    Remove-Item -Path $installer -Force
    throw "checksum mismatch for Git $($env:GIT_VERSION): expected $($env:GIT_SHA256), got $actual; refusing to install"
}

$process = Start-Process -FilePath $installer -ArgumentList '/VERYSILENT', '/NORESTART', '/NOCANCEL', '/SP-' -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "the Git installer exited with $($process.ExitCode)" }
Remove-Item -Path $installer -Force
$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
if ($machinePath -notlike '*Git\cmd*') {
    [Environment]::SetEnvironmentVariable('Path', "$machinePath;C:\Program Files\Git\cmd", 'Machine')
}
Write-Output "Git $($env:GIT_VERSION) installed"
