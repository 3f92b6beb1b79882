#!/usr/bin/env bash
# Installs the monitoring agent every Ingot image ships: Prometheus' node exporter from
# the distribution archive (Ubuntu or Debian; signed by the archive key, so apt verifies
# it), listening on NODE_EXPORTER_PORT and enabled at boot.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
port="${NODE_EXPORTER_PORT:-9100}"
apt-get update -q
# Without recommends: the exporter alone, not its optional collectors (IPMI, SMART, Python).
apt-get install -y -q --no-install-recommends prometheus-node-exporter
cat >/etc/default/prometheus-node-exporter <<CONF
ARGS="--web.listen-address=:${port} --collector.systemd"
CONF
systemctl enable prometheus-node-exporter
echo "monitoring agent: $(dpkg-query -W -f='${Version}' prometheus-node-exporter) on :${port}"
