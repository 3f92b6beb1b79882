# Installs the AWS CLI v2 ($env:AWS_CLI_VERSION) from its MSI, refused unless its SHA-256
# is $env:AWS_CLI_SHA256; the fleet's boot script reads the GitHub App secret with it on
# AWS. Without AWS_CLI_SHA256 (images for GCP only) nothing is installed.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (-not $env:AWS_CLI_SHA256) {
    Write-Output 'AWS_CLI_SHA256 is empty: no AWS CLI (set aws_cli_sha256 for AWS images)'
    return
}
if (-not $env:AWS_CLI_VERSION) { throw 'AWS_CLI_VERSION is required with AWS_CLI_SHA256, e.g. 2.22.35' }

$package = "AWSCLIV2-$($env:AWS_CLI_VERSION).msi"
$installer = Join-Path $env:TEMP $package
Invoke-WebRequest -Uri "https://awscli.amazonaws.com/$package" -OutFile $installer -UseBasicParsing

$actual = (Get-FileHash -Path $installer -Algorithm SHA256).Hash.ToLowerInvariant()
if ($actual -ne $env:AWS_CLI_SHA256.ToLowerInvariant()) {
    Remove-Item -Path $installer -Force
    throw "checksum mismatch for ${package}: expected $($env:AWS_CLI_SHA256), got $actual; refusing to install"
}

$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList @('/i', $installer, '/qn', '/norestart') -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "msiexec exited with $($process.ExitCode) installing $package" }
Remove-Item -Path $installer -Force
$aws = Join-Path $env:ProgramFiles 'Amazon\AWSCLIV2\aws.exe'
if (-not (Test-Path -Path $aws)) { throw "the AWS CLI is not at $aws after installing $package" }
Write-Output "$(& $aws --version)"
