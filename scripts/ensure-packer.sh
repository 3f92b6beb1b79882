#!/usr/bin/env bash
# Makes sure the image pipeline's tests find `packer` (Debian's 1.6.6 is enough for the
# local builders in packer/local/), `shellcheck` (the shell scripts' static check) and
# `jq` (used by scripts/image-integration-test.sh), `zstd` (the SBOM tests compress as
# Packer's hcp-sbom upload does), installing Debian's packages with
# apt-get when one is missing. Idempotent and quiet: does nothing when all are there.
set -euo pipefail

missing=()
for tool in packer shellcheck jq zstd; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-packer: ${missing[*]} missing and apt-get is not available; install them (packer >= 1.6, shellcheck, jq, zstd) and rerun." >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-packer: ${missing[*]} missing; installing them needs root (apt-get install ${missing[*]})." >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "ensure-packer: installing ${missing[*]} (Debian packages)…" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-packer: apt-get could not install ${missing[*]}." >&2
  exit 1
fi
for tool in "${missing[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "ensure-packer: $tool is still missing after apt-get install." >&2
    exit 1
  fi
done
