#!/usr/bin/env bash
# Installs the runner into RUNNER_ROOT the way packer/scripts/common/install-runner.sh
# does on a cloud machine: fetch the pinned package, refuse it unless its SHA-256 is the
# pinned one, then install. Locally the "download" is packer/local/files/.
set -euo pipefail
: "${RUNNER_ROOT:?}" "${RUNNER_VERSION:?}" "${RUNNER_SHA256:?}" "${RUNNER_PACKAGE:?}"

download="$(mktemp "${TMPDIR:-/tmp}/actions-runner.XXXXXX")"
trap 'rm -f "$download"' EXIT
cp "$RUNNER_PACKAGE" "$download"
actual="$(sha256sum "$download" | cut -d ' ' -f 1)"
if [ "$actual" != "$RUNNER_SHA256" ]; then
  echo "runner package checksum mismatch: expected $RUNNER_SHA256, got $actual ($RUNNER_PACKAGE); refusing to install" >&2
  exit 1
fi
install -d "$RUNNER_ROOT/opt/actions-runner"
install -m 0755 "$download" "$RUNNER_ROOT/opt/actions-runner/run.sh"
printf '%s\n' "$RUNNER_VERSION" >"$RUNNER_ROOT/opt/actions-runner/.runner-version"
echo "runner $RUNNER_VERSION installed (sha256 $actual)"
