# Installs Docker Engine for Windows containers (Windows Server allows them; Linux
# containers need nested virtualization, which the build machines do not have): the
# Containers feature, then the static binaries of $env:DOCKER_VERSION, refused unless
# their SHA-256 is $env:DOCKER_SHA256. The service starts after the first reboot.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (-not $env:DOCKER_VERSION) { throw 'DOCKER_VERSION is required, e.g. 27.3.1' }
if (-not $env:DOCKER_SHA256) { throw 'DOCKER_SHA256 is required (compute it from download.docker.com)' }

Install-WindowsFeature -Name Containers | Out-Null

$archive = Join-Path $env:TEMP "docker-$($env:DOCKER_VERSION).zip"
$url = "https://download.docker.com/win/static/stable/x86_64/docker-$($env:DOCKER_VERSION).zip"
Invoke-WebRequest -Uri $url -OutFile $archive -UseBasicParsing

$actual = (Get-FileHash -Path $archive -Algorithm SHA256).Hash.ToLowerInvariant()
if ($actual -ne $env:DOCKER_SHA256.ToLowerInvariant()) {
    Remove-Item -Path $archive -Force
    throw "checksum mismatch for Docker $($env:DOCKER_VERSION): expected $($env:DOCKER_SHA256), got $actual; refusing to install"
}

Expand-Archive -Path $archive -DestinationPath $env:ProgramFiles -Force
Remove-Item -Path $archive -Force
$dockerDir = Join-Path $env:ProgramFiles 'docker'
$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
if ($machinePath -notlike "*$dockerDir*") {
    [Environment]::SetEnvironmentVariable('Path', "$machinePath;$dockerDir", 'Machine')
}
$process = Start-Process -FilePath (Join-Path $dockerDir 'dockerd.exe') -ArgumentList '--register-service' -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "dockerd --register-service exited with $($process.ExitCode)" }
Set-Service -Name 'docker' -StartupType Automatic
Write-Output "Docker $($env:DOCKER_VERSION) installed (Windows containers)"
