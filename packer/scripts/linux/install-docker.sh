#!/usr/bin/env bash
# Installs Docker Engine from the distribution archive (docker.io on Ubuntu and Debian,
# signed by the archive key; package lists fetched first) with log rotation, enabled
# at boot, usable by the runner user.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
runner_user="${RUNNER_USER:-runner}"
apt-get update -q
apt-get install -y -q docker.io
install -d -m 0755 /etc/docker
cat >/etc/docker/daemon.json <<'CONF'
{ "log-driver": "json-file", "log-opts": { "max-size": "50m", "max-file": "3" } }
CONF
systemctl enable docker
if id "$runner_user" >/dev/null 2>&1; then usermod -aG docker "$runner_user"; fi
docker --version
