import type { BootstrapSpec } from './bootstrap-spec';
import { shQuote } from './quote';

/**
 * Bash for macOS hosts: `jit_config` prints the JIT configuration of this instance's next
 * runner. The instance proves who it is to the scaler with its signed identity document
 * (instance metadata `instance-identity/document` and `instance-identity/signature`,
 * IMDSv2) posted to `<scaler URL>/jit/aws`; the URL is read from the SSM parameter the
 * fleet writes (the only parameter outside AmazonSSMManagedInstanceCore's reach the role
 * is granted). 409 means the previous runner is still registered (GitHub removes an
 * ephemeral runner shortly after its job): wait and ask again. The metadata endpoint may
 * be moved with `INGOT_METADATA_URL` and the scaler URL given as `INGOT_SCALER_URL` (tests).
 */
export function hostJitFunctions(spec: BootstrapSpec): string {
  if (!spec.hostJit) throw new Error('hostJitFunctions: spec.hostJit is required.');
  return `SCALER_REGION=${shQuote(spec.hostJit.region)}
SCALER_URL_PARAMETER=${shQuote(spec.hostJit.urlParameter)}
IMDS="\${INGOT_METADATA_URL:-http://169.254.169.254}"

scaler_url() {
  if [ -n "\${INGOT_SCALER_URL:-}" ]; then printf '%s' "$INGOT_SCALER_URL"; return; fi
  aws ssm get-parameter --region "$SCALER_REGION" --name "$SCALER_URL_PARAMETER" --query Parameter.Value --output text
}

# Prints a JIT configuration for this instance's next runner; retries for as long as
# the scaler refuses (previous runner not gone yet) or cannot answer.
jit_config() {
  local url token body response status
  while true; do
    if url=$(scaler_url) && token=$(curl -fsS --retry 5 -X PUT "$IMDS/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') &&
      body=$(jq -n --arg d "$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/dynamic/instance-identity/document")" \\
        --arg s "$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/dynamic/instance-identity/signature")" \\
        '{document: $d, signature: $s}'); then
      response=$(curl -sS -w '\\n%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "$body" "\${url%/}/jit/aws") || response=$'\\n000'
      status=\${response##*$'\\n'}
      if [ "$status" = 200 ]; then
        jq -er .encoded_jit_config <<<"\${response%$'\\n'*}"
        return
      fi
      echo "ingot-runner: the scaler answered $status; asking again in 20 s" >&2
    fi
    sleep "\${INGOT_JIT_RETRY_SECONDS:-20}"
  done
}`;
}
