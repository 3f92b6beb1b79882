# Installs a pinned GitHub Actions runner into $env:RUNNER_DIR (default C:\actions-runner).
# The download ($env:RUNNER_DOWNLOAD_URL/v<version>/<package>, default the actions/runner
# releases) is refused unless its SHA-256 is $env:RUNNER_SHA256 (from the release of
# $env:RUNNER_VERSION). The fleet's boot script registers it at first boot.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (-not $env:RUNNER_VERSION) { throw 'RUNNER_VERSION is required, e.g. 2.330.0' }
if (-not $env:RUNNER_SHA256) { throw 'RUNNER_SHA256 is required (the release page lists it)' }
$runnerDir = if ($env:RUNNER_DIR) { $env:RUNNER_DIR } else { 'C:\actions-runner' }

$package = "actions-runner-win-x64-$($env:RUNNER_VERSION).zip"
$baseUrl = if ($env:RUNNER_DOWNLOAD_URL) { $env:RUNNER_DOWNLOAD_URL.TrimEnd('/') } else { 'https://github.com/actions/runner/releases/download' }
$url = "$baseUrl/v$($env:RUNNER_VERSION)/$package"
$download = Join-Path $env:TEMP $package
Invoke-WebRequest -Uri $url -OutFile $download -UseBasicParsing

$actual = (Get-FileHash -Path $download -Algorithm SHA256).Hash.ToLowerInvariant()
if ($actual -ne $env:RUNNER_SHA256.ToLowerInvariant()) {
    Remove-Item -Path $download -Force
    throw "checksum mismatch for ${package}: expected $($env:RUNNER_SHA256), got $actual; refusing to install"
}

New-Item -ItemType Directory -Path $runnerDir -Force | Out-Null
Expand-Archive -Path $download -DestinationPath $runnerDir -Force
Remove-Item -Path $download -Force
Write-Output "GitHub Actions runner $($env:RUNNER_VERSION) installed in $runnerDir"
