#!/usr/bin/env bash
# Applies every pending update (security and otherwise) non-interactively, on Ubuntu
# and Debian, and installs what later steps and the fleet's boot script need (curl,
# jq, openssl, CA certificates). A kernel update takes effect at the next boot, which
# is the first boot of the image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
apt-get update -q
apt-get "${apt_opts[@]}" dist-upgrade
apt-get "${apt_opts[@]}" install ca-certificates curl jq openssl
apt-get -y -q autoremove --purge
if [ -f /var/run/reboot-required ]; then
  echo "updates need a reboot; the image's first boot applies them"
fi
