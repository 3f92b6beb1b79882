#!/usr/bin/env bash
# Baseline hardening for every Ubuntu image: SSH without passwords or root, kernel
# settings from the CIS benchmark's level 1, audit logging, no core dumps, and no
# packages a CI machine never needs. (Updates come from the weekly rebuild, not from
# unattended upgrades: see configure-apt.sh.) Package lists may be gone (the parent's
# cleanup removes them), so they are fetched first.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

install -d -m 0755 /etc/ssh/sshd_config.d
cat >/etc/ssh/sshd_config.d/50-ingot-hardening.conf <<'CONF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
X11Forwarding no
MaxAuthTries 4
ClientAliveInterval 300
CONF

cat >/etc/sysctl.d/50-ingot-hardening.conf <<'CONF'
kernel.kptr_restrict = 2
kernel.dmesg_restrict = 1
kernel.yama.ptrace_scope = 1
fs.suid_dumpable = 0
net.ipv4.conf.all.rp_filter = 1
net.ipv4.conf.default.rp_filter = 1
net.ipv4.conf.all.accept_redirects = 0
net.ipv4.conf.all.send_redirects = 0
net.ipv4.conf.all.log_martians = 1
net.ipv6.conf.all.accept_redirects = 0
CONF

cat >/etc/security/limits.d/50-ingot-no-core.conf <<'CONF'
* hard core 0
CONF

apt-get update -q
apt-get install -y -q auditd
systemctl enable auditd
apt-get purge -y -q telnet ftp rsh-client talk 2>/dev/null || true
if [ -f /etc/ssh/sshd_config ]; then chmod 0600 /etc/ssh/sshd_config; fi
echo "hardening applied"
