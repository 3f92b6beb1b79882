#!/usr/bin/env bash
# Records what the image contains in /etc/ingot/build-info.json (read by the integration
# test and by people debugging a machine), and fails the build when the OS is not the
# release the template claims (OS_VERSION), since that claim becomes a registry label.
set -euo pipefail
: "${OS_VERSION:?}" "${BUCKET:?}" "${FINGERPRINT:?}"
runner_dir="${RUNNER_DIR:-/opt/actions-runner}"

if [ "$(uname -s)" = Darwin ]; then
  actual_os="$(sw_vers -productVersion)"
else
  # shellcheck disable=SC1091
  actual_os="$(. /etc/os-release && echo "$VERSION_ID")"
fi
case "$actual_os" in
  "$OS_VERSION" | "$OS_VERSION".*) ;;
  *)
    echo "the image runs OS version $actual_os but the template claims $OS_VERSION; fix os_version" >&2
    exit 1
    ;;
esac

# The runner refuses root ("Must not run with sudo", actions/runner config.sh), and the
# fleet runs it as RUNNER_USER: ask it as that user, which also proves that user can.
runner="none"
if [ -x "$runner_dir/config.sh" ]; then
  runner="$(cd "$runner_dir" && sudo -u "${RUNNER_USER:-runner}" ./config.sh --version)"
fi
git_version="$(git --version 2>/dev/null | awk '{print $3}' || true)"
docker_version="$(docker --version 2>/dev/null | awk '{print $3}' | tr -d , || true)"

install -d -m 0755 /etc/ingot
cat >/etc/ingot/build-info.json <<JSON
{
  "bucket": "$BUCKET",
  "fingerprint": "$FINGERPRINT",
  "git_commit": "${GIT_COMMIT:-unknown}",
  "os_version": "$actual_os",
  "kernel": "$(uname -r)",
  "runner_version": "$runner",
  "git_version": "${git_version:-none}",
  "docker_version": "${docker_version:-none}"
}
JSON
cat /etc/ingot/build-info.json
