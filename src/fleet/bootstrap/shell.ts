import type { BootstrapSpec } from './bootstrap-spec';
import { shQuote } from './quote';

/** The settings a bash boot script starts with, every value quoted. */
export function bashSettings(spec: BootstrapSpec, runnerDir: string): string {
  const secret = !spec.secret
    ? []
    : spec.secret.cloud === 'aws'
      ? [`SECRET_NAME=${shQuote(spec.secret.name)}`, `SECRET_REGION=${shQuote(spec.secret.region)}`]
      : [
          `SECRET_NAME=${shQuote(spec.secret.name)}`,
          `SECRET_PROJECT=${shQuote(spec.secret.project)}`,
        ];
  return [
    `GITHUB_URL=${shQuote(spec.githubUrl)}`,
    `GITHUB_API=${shQuote(spec.apiUrl)}`,
    `GITHUB_ORG=${shQuote(spec.organization)}`,
    `RUNNER_GROUP=${shQuote(spec.runnerGroup)}`,
    `RUNNER_LABELS=${shQuote(spec.labels.join(','))}`,
    `RUNNER_PREFIX=${shQuote(spec.namePrefix)}`,
    `RUNNER_DIR="\${INGOT_RUNNER_DIR:-${runnerDir}}"`,
    ...secret,
  ].join('\n');
}

/**
 * Bash functions that turn the GitHub App in the cloud's secret store into a runner
 * registration token: read the secret, sign a JWT (RS256, openssl), exchange it for an
 * installation token, ask for a registration token. The private key only ever sits in a
 * 0600 temporary file for the signing.
 */
export function bashRegistrationFunctions(spec: BootstrapSpec): string {
  if (!spec.secret) throw new Error('bashRegistrationFunctions: spec.secret is required.');
  const readSecret =
    spec.secret.cloud === 'aws'
      ? 'aws secretsmanager get-secret-value --region "$SECRET_REGION" --secret-id "$SECRET_NAME" --query SecretString --output text'
      : 'gcloud secrets versions access latest --secret="$SECRET_NAME" --project="$SECRET_PROJECT"';
  return `read_secret() {
  ${readSecret}
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# github_post <bearer token> <api path>: retries 429, 5xx and refused connections; a 401 or
# 403 (wrong App, missing permission) fails at once.
github_post() {
  curl -fsS --retry 5 --retry-delay 3 --retry-connrefused -X POST \\
    -H 'Accept: application/vnd.github+json' -H 'X-GitHub-Api-Version: 2022-11-28' \\
    -H "Authorization: Bearer $1" "$GITHUB_API$2"
}

# Prints a registration token for the organization, from the GitHub App in the secret.
# (Explicit returns, not errexit: macOS's bash 3.2 has no inherit_errexit.)
registration_token() {
  local secret app_id installation_id key now header payload signature access
  secret=$(read_secret) || return 1
  app_id=$(jq -er .app_id <<<"$secret") || return 1
  installation_id=$(jq -er .installation_id <<<"$secret") || return 1
  key=$(mktemp) || return 1
  chmod 600 "$key"
  if ! jq -er .private_key <<<"$secret" >"$key"; then rm -f "$key"; return 1; fi
  unset secret
  now=$(date +%s)
  header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"iat":%d,"exp":%d,"iss":"%s"}' "$((now - 60))" "$((now + 540))" "$app_id" | b64url)
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" | b64url)
  rm -f "$key"
  [ -n "$signature" ] || return 1
  access=$(github_post "$header.$payload.$signature" "/app/installations/$installation_id/access_tokens" | jq -er .token) || return 1
  github_post "$access" "/orgs/$GITHUB_ORG/actions/runners/registration-token" | jq -er .token
}

# configure_runner <user> <name>: registers one ephemeral runner with exactly our labels.
configure_runner() {
  local token
  token=$(registration_token) || return 1
  (cd "$RUNNER_DIR" && as_user "$1" ./config.sh --unattended --ephemeral --disableupdate --replace \\
    --no-default-labels --labels "$RUNNER_LABELS" --runnergroup "$RUNNER_GROUP" \\
    --url "$GITHUB_URL/$GITHUB_ORG" --token "$token" --name "$2" --work _work)
}`;
}
