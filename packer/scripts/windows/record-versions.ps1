# Records what the image contains in C:\ProgramData\Ingot\build-info.json and fails the
# build when Windows is not the release the template claims ($env:OS_VERSION), since that
# claim becomes a registry label.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if (-not $env:OS_VERSION) { throw 'OS_VERSION is required, e.g. 2022' }
$caption = (Get-CimInstance -ClassName Win32_OperatingSystem).Caption
if ($caption -notlike "*$($env:OS_VERSION)*") {
    throw "the image runs '$caption' but the template claims Windows Server $($env:OS_VERSION); fix os_version"
}

$runnerDir = if ($env:RUNNER_DIR) { $env:RUNNER_DIR } else { 'C:\actions-runner' }
$runner = & (Join-Path $runnerDir 'config.cmd') --version
$git = (& 'C:\Program Files\Git\cmd\git.exe' --version) -replace '^git version ', ''
$docker = if (Test-Path (Join-Path $env:ProgramFiles 'docker\docker.exe')) {
    (& (Join-Path $env:ProgramFiles 'docker\docker.exe') --version) -replace '^Docker version ([^,]+).*$', '$1'
} else { 'none' }

$info = [ordered]@{
    bucket         = $env:BUCKET
    fingerprint    = $env:FINGERPRINT
    git_commit     = $env:GIT_COMMIT
    os_version     = $caption
    runner_version = "$runner".Trim()
    git_version    = $git
    docker_version = $docker
}
$directory = Join-Path $env:ProgramData 'Ingot'
New-Item -ItemType Directory -Path $directory -Force | Out-Null
$info | ConvertTo-Json | Set-Content -Path (Join-Path $directory 'build-info.json') -Encoding UTF8
$info | ConvertTo-Json | Write-Output
