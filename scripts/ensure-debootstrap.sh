#!/usr/bin/env bash
# Makes sure the local image pipeline's tests find `debootstrap` (it makes the Debian root
# file system the local builder provisions with packer/scripts/linux/*) and `unshare`
# (util-linux: the builder's private mount namespace), installing Debian's packages with
# apt-get when one is missing. Idempotent and quiet: does nothing when both are there.
set -euo pipefail
# shellcheck source=scripts/lib/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

missing=()
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-debootstrap: ${missing[*]} missing; installing them needs root (apt-get install ${missing[*]}), and so do the local image builds (chroot)." >&2
  exit 1
fi
apt_install ensure-debootstrap "${missing[@]}"
