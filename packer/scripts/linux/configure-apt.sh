#!/usr/bin/env bash
# Makes apt fit a CI machine, as actions/runner-images does
# (images/ubuntu/scripts/build/configure-apt.sh): no apt-daily / apt-daily-upgrade timers
# and no unattended-upgrades (they hold the dpkg lock while jobs run apt-get; the
# weekly image rebuild brings the updates instead), retries for flaky mirrors. Works on
# a booted machine and in a chroot (systemctl disable edits unit links offline).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
timers=(apt-daily.timer apt-daily.service apt-daily-upgrade.timer apt-daily-upgrade.service)
if [ -d /run/systemd/system ]; then systemctl stop "${timers[@]}" 2>/dev/null || true; fi
for unit in "${timers[@]}"; do
  if systemctl cat "$unit" >/dev/null 2>&1 || [ -e "/lib/systemd/system/$unit" ]; then
    systemctl disable "$unit" >/dev/null 2>&1 || true
    systemctl mask "$unit"
  fi
done
cat >/etc/apt/apt.conf.d/20auto-upgrades <<'CONF'
APT::Periodic::Update-Package-Lists "0";
APT::Periodic::Unattended-Upgrade "0";
CONF
echo 'APT::Acquire::Retries "10";' >/etc/apt/apt.conf.d/80-retries
apt-get purge -y -q unattended-upgrades
echo "apt: daily timers masked, unattended-upgrades removed, retries on"
