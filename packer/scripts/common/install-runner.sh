#!/usr/bin/env bash
# Installs a pinned GitHub Actions runner (Linux or macOS, x64 or arm64) into RUNNER_DIR,
# owned by RUNNER_USER, with the runner's own bin/installdependencies.sh (Linux; it needs
# root and runs apt-get update itself). The download is refused unless its SHA-256 is
# RUNNER_SHA256 (from the release of RUNNER_VERSION). It comes from
# RUNNER_DOWNLOAD_URL/v<version>/<package> (default: the actions/runner releases on
# GitHub; the local pipeline serves it from 127.0.0.1). The runner is not registered:
# the fleet's boot script registers it, as RUNNER_USER, with --disableupdate.
set -euo pipefail
: "${RUNNER_VERSION:?RUNNER_VERSION is required, e.g. 2.330.0}"
: "${RUNNER_SHA256:?RUNNER_SHA256 is required (the release lists it; npm run images:bump-runner sets it)}"
runner_dir="${RUNNER_DIR:-/opt/actions-runner}"
runner_user="${RUNNER_USER:-runner}"
base_url="${RUNNER_DOWNLOAD_URL:-https://github.com/actions/runner/releases/download}"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=osx ;;
  *)
    echo "unsupported OS $(uname -s)" >&2
    exit 1
    ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  x64 | x86_64 | amd64) arch=x64 ;;
  arm64 | aarch64) arch=arm64 ;;
  *)
    echo "unsupported architecture ${RUNNER_ARCH:-$(uname -m)}" >&2
    exit 1
    ;;
esac

package="actions-runner-${os}-${arch}-${RUNNER_VERSION}.tar.gz"
url="${base_url%/}/v${RUNNER_VERSION}/${package}"
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
curl -fsSL --retry 5 --retry-connrefused -o "$download/$package" "$url"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$download/$package" | cut -d ' ' -f 1)"
else
  actual="$(shasum -a 256 "$download/$package" | cut -d ' ' -f 1)"
fi
if [ "$actual" != "$RUNNER_SHA256" ]; then
  echo "checksum mismatch for $package from $url: expected $RUNNER_SHA256, got $actual; refusing to install" >&2
  exit 1
fi

if ! id "$runner_user" >/dev/null 2>&1; then
  if [ "$os" = linux ]; then
    useradd --create-home --shell /bin/bash "$runner_user"
  else
    sysadminctl -addUser "$runner_user" -shell /bin/zsh
  fi
fi
mkdir -p "$runner_dir"
tar -xzf "$download/$package" -C "$runner_dir"
if [ "$os" = linux ]; then "$runner_dir/bin/installdependencies.sh"; fi
chown -R "$runner_user" "$runner_dir"
echo "GitHub Actions runner $RUNNER_VERSION ($os-$arch) installed in $runner_dir"
