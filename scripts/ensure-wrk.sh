#!/usr/bin/env bash
# Makes sure the registry benchmark finds `wrk`, the HTTP load generator it measures with
# (Debian's package), installing it with apt-get when it is missing. Idempotent and quiet.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-wrk: wrk is missing and apt-get is not available; install wrk (https://github.com/wg/wrk) and rerun." >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-wrk: wrk is missing; installing it needs root (apt-get install wrk)." >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "ensure-wrk: installing wrk (Debian package)…" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq wrk; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-wrk: apt-get could not install wrk." >&2
  exit 1
fi
command -v wrk >/dev/null 2>&1 || {
  echo "ensure-wrk: wrk is still missing after apt-get install." >&2
  exit 1
}
