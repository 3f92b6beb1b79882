#!/usr/bin/env bash
# Prints the path of a Debian root file system tarball, the local pipeline's stand-in for
# a cloud provider's base image: `debootstrap --variant=minbase` of SUITE for the host's
# architecture, from the machine's own apt mirror, plus what every cloud image has
# (systemd, sudo, OpenSSH, curl, CA certificates). Made once and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/ingot/rootfs/, keyed by everything that produced it
# (suite, variant, architecture, mirror, packages and this script), so a change of any of
# them makes a new one. Concurrent callers wait for one another (flock); a failed or
# interrupted debootstrap leaves nothing in the cache. Needs root (debootstrap, chroot).
#
#   debian-rootfs.sh            # → /root/.cache/ingot/rootfs/debian-bookworm-minbase-amd64-<key>.tar
set -euo pipefail
suite="${INGOT_ROOTFS_SUITE:-bookworm}"
variant=minbase
include="systemd,systemd-sysv,sudo,openssh-server,ca-certificates,curl,procps,iproute2"
arch="$(dpkg --print-architecture)"

# The machine's first Debian mirror (deb822 *.sources, then one-line sources.list).
machine_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '/^URIs:/ { uri = $2 } /^Suites:/ { if ($0 ~ /(^| )'"$suite"'( |$)/ && uri !~ /security/) { print uri; exit } }' "$file"
  done | head -n 1
  if [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $3 == "'"$suite"'" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list
  fi
}
mirror="${INGOT_DEBIAN_MIRROR:-$(machine_mirror | head -n 1)}"
if [ -z "$mirror" ]; then
  echo "debian-rootfs: no apt source for Debian $suite on this machine; set INGOT_DEBIAN_MIRROR to a Debian mirror URL (e.g. http://deb.debian.org/debian)." >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1 && [ ! -x /usr/sbin/debootstrap ]; then
  echo "debian-rootfs: debootstrap is missing; run scripts/ensure-debootstrap.sh (apt-get install debootstrap)." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "debian-rootfs: debootstrap needs root; run the local image pipeline as root." >&2
  exit 1
fi

key="$(printf '%s\n' "$suite" "$variant" "$arch" "$mirror" "$include" "$(sha256sum <"${BASH_SOURCE[0]}")" |
  sha256sum | cut -c 1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ingot/rootfs"
tarball="$cache/debian-$suite-$variant-$arch-$key.tar"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -s "$tarball" ]; then
  touch "$tarball"
  echo "$tarball"
  exit 0
fi

work="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "debian-rootfs: debootstrap --variant=$variant $suite ($arch) from $mirror, cached as $tarball" >&2
if ! PATH="/usr/sbin:/sbin:$PATH" debootstrap --variant="$variant" --arch="$arch" --include="$include" \
  "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 40 "$work/debootstrap.log" >&2
  echo "debian-rootfs: debootstrap failed (log above); nothing was cached." >&2
  exit 1
fi
# A cloud image has no package lists (they are fetched at boot) and no host identity.
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/archives/"*.deb
truncate -s 0 "$work/root/etc/machine-id"
tar --numeric-owner -C "$work/root" -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$tarball"
# Tarballs another key made and nothing used for two weeks (other checkouts may still
# use theirs) are removed.
find "$cache" -maxdepth 1 -name "debian-*.tar" ! -name "${tarball##*/}" -mtime +14 -delete
echo "$tarball"
