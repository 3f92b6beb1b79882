#!/usr/bin/env bash
# Makes sure the registry benchmark finds `wrk`, the HTTP load generator it measures with
# (Debian's package), installing it with apt-get when it is missing. Idempotent and quiet.
set -euo pipefail
# shellcheck source=scripts/lib/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

if command -v wrk >/dev/null 2>&1; then exit 0; fi
apt_install ensure-wrk wrk
command -v wrk >/dev/null 2>&1 || {
  echo "ensure-wrk: wrk is still missing after apt-get install." >&2
  exit 1
}
