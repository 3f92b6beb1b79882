#!/usr/bin/env bash
# Installs the monitoring agent every Ingot image ships: Prometheus' node exporter from
# the Ubuntu archive (signed by the archive key, so apt verifies it), listening on
# NODE_EXPORTER_PORT and enabled at boot.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
port="${NODE_EXPORTER_PORT:-9100}"
apt-get install -y -q prometheus-node-exporter
cat >/etc/default/prometheus-node-exporter <<CONF
ARGS="--web.listen-address=:${port} --collector.systemd"
CONF
systemctl enable prometheus-node-exporter
echo "monitoring agent: $(dpkg-query -W -f='${Version}' prometheus-node-exporter) on :${port}"
