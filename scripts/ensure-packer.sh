#!/usr/bin/env bash
# Makes sure the image pipeline's tests find `packer` (Debian's 1.6.6 is enough for the
# local builders in packer/local/), `shellcheck` (the shell scripts' static check) and
# `jq` (used by scripts/image-integration-test.sh), `zstd` (the SBOM tests compress as
# Packer's hcp-sbom upload does), installing Debian's packages with
# apt-get when one is missing. Idempotent and quiet: does nothing when all are there.
set -euo pipefail
# shellcheck source=scripts/lib/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

missing=()
for tool in packer shellcheck jq zstd; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

apt_install ensure-packer "${missing[@]}"
for tool in "${missing[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "ensure-packer: $tool is still missing after apt-get install." >&2
    exit 1
  fi
done
