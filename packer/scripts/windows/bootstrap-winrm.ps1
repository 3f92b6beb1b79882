# First-boot script (EC2 user data, GCE windows-startup-script-ps1) that lets Packer in
# over WinRM on HTTPS only: a self-signed certificate for the machine's name, an HTTPS
# listener on 5986, a firewall rule for it, and no unencrypted HTTP listener.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$hostName = [System.Net.Dns]::GetHostName()
$certificate = New-SelfSignedCertificate -DnsName $hostName -CertStoreLocation 'Cert:\LocalMachine\My'

Get-ChildItem -Path 'WSMan:\localhost\Listener' |
    Where-Object { $_.Keys -contains 'Transport=HTTP' } |
    Remove-Item -Recurse -Force

New-Item -Path 'WSMan:\localhost\Listener' -Transport HTTPS -Address * `
    -CertificateThumbPrint $certificate.Thumbprint -Force | Out-Null
Set-Item -Path 'WSMan:\localhost\Service\Auth\Basic' -Value $true
Set-Item -Path 'WSMan:\localhost\Service\AllowUnencrypted' -Value $false

New-NetFirewallRule -DisplayName 'WinRM over HTTPS (Packer)' -Direction Inbound `
    -Protocol TCP -LocalPort 5986 -Action Allow | Out-Null
Set-Service -Name 'WinRM' -StartupType Automatic
Restart-Service -Name 'WinRM'
