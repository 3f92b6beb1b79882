#!/usr/bin/env bash
# Waits until cloud-init has finished on a fresh instance, so apt is not locked and the
# default user exists before anything else is provisioned.
set -euo pipefail
if command -v cloud-init >/dev/null 2>&1; then
  cloud-init status --wait >/dev/null || {
    echo "cloud-init reported an error; see /var/log/cloud-init-output.log" >&2
    cloud-init status --long >&2 || true
    exit 1
  }
fi
echo "cloud-init finished"
