import { RUNNER_DIRS, type BootstrapSpec } from './bootstrap-spec';
import { psJitFunctions } from './jit';
import { psQuote } from './quote';

/** The local account jobs run as: not an administrator, not SYSTEM. */
export const WINDOWS_RUNNER_USER = 'ingot-runner';

/**
 * The runner script proper, for PowerShell 7 (the Windows runner image ships it; RSA
 * PEM import needs .NET 5+): read the GitHub App from the secret, sign a JWT, get a
 * registration token, register one ephemeral runner as a Windows service that runs as a
 * dedicated unprivileged local user (boot scripts run as SYSTEM; jobs must not), wait
 * for its one job, power off. The secret and the registration stay with SYSTEM: the
 * runner user can modify only the runner directory.
 */
function runnerScript(spec: BootstrapSpec): string {
  if (spec.jit) return jitRunnerScript(spec);
  if (!spec.secret) throw new Error('windowsBootstrap: spec.secret or spec.jit is required.');
  const readSecret =
    spec.secret.cloud === 'aws'
      ? `(& aws secretsmanager get-secret-value --region ${psQuote(spec.secret.region)} --secret-id $SecretName --query SecretString --output text) -join "\`n"`
      : `(& gcloud secrets versions access latest "--secret=$SecretName" ${psQuote(`--project=${spec.secret.project}`)}) -join "\`n"`;
  return `$ErrorActionPreference = 'Stop'
$GithubUrl = ${psQuote(spec.githubUrl)}
$GithubApi = ${psQuote(spec.apiUrl)}
$GithubOrg = ${psQuote(spec.organization)}
$RunnerGroup = ${psQuote(spec.runnerGroup)}
$RunnerLabels = ${psQuote(spec.labels.join(','))}
$RunnerPrefix = ${psQuote(spec.namePrefix)}
$RunnerDir = ${psQuote(RUNNER_DIRS.windows)}
$SecretName = ${psQuote(spec.secret.name)}
$RunnerUser = ${psQuote(WINDOWS_RUNNER_USER)}

function Read-RegistrationSecret {
  ${readSecret}
}

function ConvertTo-Base64Url([byte[]] $Bytes) {
  [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

function Invoke-GitHubPost([string] $Token, [string] $Path) {
  Invoke-RestMethod -Method Post -Uri "$GithubApi$Path" -MaximumRetryCount 5 -RetryIntervalSec 3 -Headers @{
    Authorization          = "Bearer $Token"
    Accept                 = 'application/vnd.github+json'
    'X-GitHub-Api-Version' = '2022-11-28'
  }
}

function Get-RegistrationToken {
  $secret = Read-RegistrationSecret | ConvertFrom-Json
  $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
  $header = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes('{"alg":"RS256","typ":"JWT"}'))
  $claims = @{ iat = $now - 60; exp = $now + 540; iss = "$($secret.app_id)" } | ConvertTo-Json -Compress
  $payload = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($claims))
  $rsa = [Security.Cryptography.RSA]::Create()
  try {
    $rsa.ImportFromPem($secret.private_key)
    $signed = $rsa.SignData([Text.Encoding]::UTF8.GetBytes("$header.$payload"),
      [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
  } finally {
    $rsa.Dispose()
  }
  $jwt = "$header.$payload.$(ConvertTo-Base64Url $signed)"
  $access = (Invoke-GitHubPost $jwt "/app/installations/$($secret.installation_id)/access_tokens").token
  (Invoke-GitHubPost $access "/orgs/$GithubOrg/actions/runners/registration-token").token
}

# A member of Users only, with a random password no one sees (it is never written out):
# the account exists for this VM's one job. ADSI works from PowerShell 7 without the
# Windows PowerShell LocalAccounts module.
function New-RunnerUser {
  $bytes = [byte[]]::new(30)
  [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
  $password = 'Ig1!' + [Convert]::ToBase64String($bytes)
  $computer = [ADSI]"WinNT://$env:COMPUTERNAME,computer"
  $user = $computer.Create('User', $RunnerUser)
  $user.SetPassword($password)
  $user.Put('Description', 'Ingot GitHub Actions runner (unprivileged)')
  $user.SetInfo()
  ([ADSI]"WinNT://$env:COMPUTERNAME/Users,group").Add("WinNT://$env:COMPUTERNAME/$RunnerUser,user")
  & icacls $RunnerDir /grant "$($RunnerUser):(OI)(CI)M" /T /Q | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "icacls exited with $LASTEXITCODE" }
  $password
}

try {
  $token = Get-RegistrationToken
  $password = New-RunnerUser
  Set-Location $RunnerDir
  # --runasservice with a logon account: config.cmd installs the runner service under
  # that account (granting it "log on as a service") and starts it.
  & .\\config.cmd --unattended --ephemeral --disableupdate --replace --no-default-labels \`
    --labels $RunnerLabels --runnergroup $RunnerGroup --url "$GithubUrl/$GithubOrg" \`
    --token $token --name "$RunnerPrefix-$env:COMPUTERNAME" --work _work \`
    --runasservice --windowslogonaccount ".\\$RunnerUser" --windowslogonpassword $password
  if ($LASTEXITCODE -ne 0) { throw "config.cmd exited with $LASTEXITCODE" }
  Remove-Variable token, password
  # An ephemeral runner's service stops once its job is done (the listener exits with 0).
  do {
    Start-Sleep -Seconds 15
    $running = @(Get-Service -Name 'actions.runner.*' | Where-Object Status -ne 'Stopped')
  } while ($running.Count -gt 0)
} catch {
  Write-Output "ingot-runner: $_"
} finally {
  Write-Output 'ingot-runner: finished, powering off'
  Stop-Computer -Force
}
`;
}

/**
 * The runner script with the scaler (PowerShell 7): fetch this instance's single-use JIT
 * configuration, run one job with `run.cmd --jitconfig`, power off. No App key, no
 * registration token.
 */
function jitRunnerScript(spec: BootstrapSpec): string {
  return `$ErrorActionPreference = 'Stop'
$RunnerDir = ${psQuote(RUNNER_DIRS.windows)}

${psJitFunctions(spec)}

try {
  $jit = Get-JitConfig
  Set-Location $RunnerDir
  & .\\run.cmd --jitconfig $jit
} catch {
  Write-Output "ingot-runner: $_"
} finally {
  Write-Output 'ingot-runner: finished, powering off'
  Stop-Computer -Force
}
`;
}

/**
 * The Windows boot script: Windows PowerShell (what EC2Launch and GCE's
 * \`windows-startup-script-ps1\` run) writes the runner script to disk and runs it with
 * PowerShell 7; without PowerShell 7 the machine powers off rather than idle. AWS user
 * data wraps it in \`<powershell>\` tags.
 */
export function windowsBootstrap(spec: BootstrapSpec): string {
  const body = `$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $env:ProgramFiles 'PowerShell\\7\\pwsh.exe'
New-Item -ItemType Directory -Force -Path 'C:\\ingot' | Out-Null
if (-not (Test-Path $pwsh)) {
  Add-Content -Path 'C:\\ingot\\runner.log' -Value 'ingot-runner: PowerShell 7 is missing from the image; powering off'
  Stop-Computer -Force
}
Set-Content -Path 'C:\\ingot\\runner-bootstrap.ps1' -Encoding utf8 -Value @'
${runnerScript(spec)}'@
& $pwsh -NoProfile -NonInteractive -ExecutionPolicy Bypass -File 'C:\\ingot\\runner-bootstrap.ps1' *>> 'C:\\ingot\\runner.log'
`;
  return spec.cloud === 'aws' ? `<powershell>\n${body}</powershell>\n` : body;
}
