#!/usr/bin/env bash
# Leaves nothing of the build in the image: package caches, logs, temporary files,
# shell history, SSH host keys (regenerated at first boot), the build user's authorized
# keys, cloud credentials and runner registrations, and the machine id.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get -y -q autoremove --purge
apt-get -y -q clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
rm -rf /tmp/* /var/tmp/*
find /var/log -type f -exec truncate -s 0 {} +
rm -f /etc/ssh/ssh_host_*
rm -rf /root/.aws /root/.config/gcloud /root/.docker /root/.bash_history
for home in /home/*; do
  [ -d "$home" ] || continue
  rm -rf "$home/.aws" "$home/.config/gcloud" "$home/.docker/config.json" "$home/.bash_history"
  rm -f "$home/.ssh/authorized_keys"
done
rm -f /opt/actions-runner/.credentials /opt/actions-runner/.credentials_rsaparams /opt/actions-runner/.runner
if command -v cloud-init >/dev/null 2>&1; then cloud-init clean --logs; fi
truncate -s 0 /etc/machine-id
rm -f /var/lib/dbus/machine-id
sync
echo "caches and credentials removed"
