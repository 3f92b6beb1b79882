#!/usr/bin/env bash
# Applies every pending Ubuntu update (security and otherwise) non-interactively. A
# kernel update takes effect at the next boot, which is the first boot of the image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
apt-get update -q
apt-get "${apt_opts[@]}" dist-upgrade
apt-get "${apt_opts[@]}" install unattended-upgrades apt-transport-https ca-certificates curl jq
apt-get -y -q autoremove --purge
if [ -f /var/run/reboot-required ]; then
  echo "updates need a reboot; the image's first boot applies them"
fi
