import type { BootstrapSpec, JitSource } from './bootstrap-spec';
import { psQuote, shQuote } from './quote';

/** Seconds a booting runner waits for its JIT configuration (the scaler's boot timeout). */
export const JIT_WAIT_SECONDS = 900;

/** Instance metadata keys (GCP) the fleet sets for the boot script: where the scaler is. */
export const GCP_SCALER_METADATA = { url: 'ingot-scaler-url', audience: 'ingot-scaler-audience' };

export function jitSource(spec: BootstrapSpec): JitSource {
  if (!spec.jit) throw new Error('the boot script has no JIT source: pass spec.jit.');
  return spec.jit;
}

/**
 * Bash: `jit_config` prints this instance's JIT runner configuration.
 * - AWS: the scaler writes the SecureString parameter `<prefix>/<instance id>` while the
 *   instance waits in the launch lifecycle hook (user data already runs then), so the
 *   script polls for it, reads it and deletes it; the runner role may touch no other
 *   parameter.
 * - GCP: the script asks the metadata server for an identity token (audience and scaler
 *   URL from the instance's metadata) and posts it to the scaler's `/jit`, which answers
 *   once per instance.
 * The metadata endpoints may be moved with `INGOT_METADATA_URL` (tests).
 */
export function bashJitFunctions(spec: BootstrapSpec): string {
  const jit = jitSource(spec);
  const tries = Math.ceil(JIT_WAIT_SECONDS / 10);
  if (jit.cloud === 'aws')
    return `JIT_REGION=${shQuote(jit.region)}
JIT_PREFIX=${shQuote(jit.parameterPrefix)}
IMDS="\${INGOT_METADATA_URL:-http://169.254.169.254}"

instance_id() {
  local token
  token=$(curl -fsS --retry 5 -X PUT "$IMDS/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') || return 1
  curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/instance-id"
}

# Prints the JIT configuration the scaler wrote for this instance, then deletes it.
jit_config() {
  local id name value i
  id=$(instance_id) || return 1
  name="$JIT_PREFIX/$id"
  for ((i = 0; i < ${tries}; i++)); do
    if value=$(aws ssm get-parameter --region "$JIT_REGION" --name "$name" --with-decryption --query Parameter.Value --output text 2>/dev/null) && [ -n "$value" ]; then
      aws ssm delete-parameter --region "$JIT_REGION" --name "$name" >/dev/null || echo "ingot-runner: could not delete $name"
      printf '%s' "$value"
      return 0
    fi
    sleep 10
  done
  echo "ingot-runner: no JIT configuration at $name after ${JIT_WAIT_SECONDS} s" >&2
  return 1
}`;
  return `METADATA="\${INGOT_METADATA_URL:-http://metadata.google.internal}/computeMetadata/v1"

metadata() { curl -fsS --retry 5 -H 'Metadata-Flavor: Google' "$METADATA/$1"; }

# Proves who this VM is to the scaler (a Google-signed identity token) and prints the JIT
# configuration it answers; retries while the scaler cannot answer yet (a VM the group
# does not list yet, an outage), gives up at once on 409: this VM's config was given.
jit_config() {
  local url audience token response status i
  url=$(metadata instance/attributes/${GCP_SCALER_METADATA.url}) || return 1
  audience=$(metadata instance/attributes/${GCP_SCALER_METADATA.audience}) || return 1
  for ((i = 0; i < ${tries}; i++)); do
    token=$(metadata "instance/service-accounts/default/identity?audience=$(jq -rn --arg a "$audience" '$a|@uri')&format=full") || return 1
    response=$(curl -sS -w '\\n%{http_code}' -X POST -H "Authorization: Bearer $token" "$url/jit") || response=$'\\n000'
    status=\${response##*$'\\n'}
    if [ "$status" = 200 ]; then
      jq -er .encoded_jit_config <<<"\${response%$'\\n'*}"
      return
    fi
    if [ "$status" = 409 ]; then
      echo "ingot-runner: the scaler already gave this VM its configuration" >&2
      return 1
    fi
    sleep 10
  done
  return 1
}`;
}

/** PowerShell: `Get-JitConfig` returns this instance's JIT configuration (as `jit_config`). */
export function psJitFunctions(spec: BootstrapSpec): string {
  const jit = jitSource(spec);
  const tries = Math.ceil(JIT_WAIT_SECONDS / 10);
  if (jit.cloud === 'aws')
    return `function Get-JitConfig {
  $imds = 'http://169.254.169.254'
  $token = Invoke-RestMethod -Method Put -Uri "$imds/latest/api/token" -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }
  $id = Invoke-RestMethod -Uri "$imds/latest/meta-data/instance-id" -Headers @{ 'X-aws-ec2-metadata-token' = $token }
  $name = ${psQuote(jit.parameterPrefix)} + "/$id"
  for ($i = 0; $i -lt ${tries}; $i++) {
    $value = (& aws ssm get-parameter --region ${psQuote(jit.region)} --name $name --with-decryption --query Parameter.Value --output text 2>$null) -join ''
    if ($LASTEXITCODE -eq 0 -and $value) {
      & aws ssm delete-parameter --region ${psQuote(jit.region)} --name $name | Out-Null
      return $value
    }
    Start-Sleep -Seconds 10
  }
  throw "no JIT configuration at $name after ${JIT_WAIT_SECONDS} s"
}`;
  return `function Get-JitConfig {
  $md = 'http://metadata.google.internal/computeMetadata/v1'
  $h = @{ 'Metadata-Flavor' = 'Google' }
  $url = Invoke-RestMethod -Uri "$md/instance/attributes/${GCP_SCALER_METADATA.url}" -Headers $h
  $audience = Invoke-RestMethod -Uri "$md/instance/attributes/${GCP_SCALER_METADATA.audience}" -Headers $h
  for ($i = 0; $i -lt ${tries}; $i++) {
    $token = Invoke-RestMethod -Uri "$md/instance/service-accounts/default/identity?audience=$([uri]::EscapeDataString($audience))&format=full" -Headers $h
    try {
      return (Invoke-RestMethod -Method Post -Uri "$url/jit" -Headers @{ Authorization = "Bearer $token" }).encoded_jit_config
    } catch {
      Start-Sleep -Seconds 10
    }
  }
  throw 'the scaler gave no JIT configuration'
}`;
}
