#!/usr/bin/env bash
# Runs inside a private mount namespace (build-image.sh): mounts what a booted machine
# has (/proc, /sys, /dev) into ROOT, shares the host's apt package cache with it while the
# scripts run (so a second build downloads nothing twice; it is unmounted before the last
# script, the cleanup, empties the image's own cache), keeps services from starting (a
# chroot has no init: Debian's policy-rc.d convention), then runs each script listed in
# ROOT/tmp/ingot-provision/scripts as root with its environment. The namespace takes
# every mount with it when this process ends, whatever happens.
#
#   provision.sh ROOT LABEL
set -euo pipefail
root="$1" label="$2"
dir=/tmp/ingot-provision
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ingot/apt-archives"
mkdir -p "$cache/partial"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
# Name resolution for apt during the build; the image keeps its own resolv.conf.
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
if [ -e "$root/etc/resolv.conf" ] || [ -L "$root/etc/resolv.conf" ]; then
  mv "$root/etc/resolv.conf" "$logs/resolv.conf.image"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount --bind "$cache" "$root/var/cache/apt/archives"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# Build-time only, as Debian's own container images do (docker-apt-speedup): dpkg skips
# fsync while unpacking (the image is written once, packed after the last script) and apt
# skips translation indexes. Both files leave with the rest of the build scaffolding.
build_conf=(etc/dpkg/dpkg.cfg.d/ingot-build-unsafe-io etc/apt/apt.conf.d/99ingot-build)
echo force-unsafe-io >"$root/${build_conf[0]}"
echo 'Acquire::Languages "none";' >"$root/${build_conf[1]}"

mapfile -t scripts <"$root$dir/scripts"
mapfile -t environment <"$root$dir/environment"
last=$((${#scripts[@]} - 1))
for i in "${!scripts[@]}"; do
  script="${scripts[$i]}"
  name="$(basename "$script")"
  if [ "$i" -eq "$last" ]; then umount "$root/var/cache/apt/archives"; fi
  echo "[$label] ==> $script"
  output="$logs/$i-$name.log"
  status=0
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "${environment[@]}" bash "$dir/$name" >"$output" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    sed "s|^|[$label] $name: |" "$output" >&2
    echo "[$label] provisioning script $script failed (exit $status); the image is not built" >&2
    exit 1
  fi
  sed "s|^|[$label] $name: |" "$output"
done
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf" "$root/${build_conf[0]}" "$root/${build_conf[1]}"
if [ -e "$logs/resolv.conf.image" ] || [ -L "$logs/resolv.conf.image" ]; then
  mv "$logs/resolv.conf.image" "$root/etc/resolv.conf"
fi
rm -rf "${root:?}$dir"
