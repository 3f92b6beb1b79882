# Installs PowerShell 7 ($env:POWERSHELL_VERSION) from its MSI, refused unless its
# SHA-256 is $env:POWERSHELL_SHA256. The fleet's boot script runs its runner script with
# pwsh.exe (RSA PEM import needs .NET 5+) and powers the machine off without it.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (-not $env:POWERSHELL_VERSION) { throw 'POWERSHELL_VERSION is required, e.g. 7.4.6' }
if (-not $env:POWERSHELL_SHA256) { throw 'POWERSHELL_SHA256 is required (set powershell_sha256 from the PowerShell release)' }

$package = "PowerShell-$($env:POWERSHELL_VERSION)-win-x64.msi"
$url = "https://github.com/PowerShell/PowerShell/releases/download/v$($env:POWERSHELL_VERSION)/$package"
$installer = Join-Path $env:TEMP $package
Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing

$actual = (Get-FileHash -Path $installer -Algorithm SHA256).Hash.ToLowerInvariant()
if ($actual -ne $env:POWERSHELL_SHA256.ToLowerInvariant()) {
    Remove-Item -Path $installer -Force
    throw "checksum mismatch for ${package}: expected $($env:POWERSHELL_SHA256), got $actual; refusing to install"
}

$arguments = @('/i', $installer, '/qn', '/norestart', 'ADD_PATH=1', 'REGISTER_MANIFEST=1')
$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "msiexec exited with $($process.ExitCode) installing $package" }
Remove-Item -Path $installer -Force
$pwsh = Join-Path $env:ProgramFiles 'PowerShell\7\pwsh.exe'
if (-not (Test-Path -Path $pwsh)) { throw "PowerShell 7 is not at $pwsh after installing $package" }
Write-Output "PowerShell $(& $pwsh -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') installed"
