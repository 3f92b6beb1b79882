#!/usr/bin/env bash
# Removes build leftovers from a macOS image: caches, logs, shell history, the build
# user's authorized keys, cloud credentials and runner registrations.
set -euo pipefail
rm -rf /Library/Caches/* /private/var/tmp/* /tmp/* 2>/dev/null || true
for home in /Users/*; do
  [ -d "$home" ] || continue
  rm -rf "$home/Library/Caches/"* "$home/.aws" "$home/.config/gcloud" "$home/.zsh_history" "$home/.bash_history" 2>/dev/null || true
  rm -f "$home/.ssh/authorized_keys"
done
rm -f /opt/actions-runner/.credentials /opt/actions-runner/.credentials_rsaparams /opt/actions-runner/.runner
echo "caches and credentials removed"
