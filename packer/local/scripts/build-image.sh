#!/usr/bin/env bash
# Assembles a local "image": a root file system in a tarball, the stand-in for an AMI or
# a GCE image in the local pipeline. LAYER=base hardens, patches (records the host's
# package state) and adds the monitoring agent's configuration; LAYER=runner unpacks the
# parent image (PARENT_IMAGE) and installs the runner (checksum verified), git and the
# Docker configuration on top. Both record versions and clean up before packing.
set -euo pipefail

: "${LAYER:?LAYER must be base or runner}" "${ARCH:?}" "${IMAGE_PATH:?}" "${BUCKET:?}"
: "${FINGERPRINT:?}" "${OS_VERSION:?}" "${GIT_COMMIT:=unknown}" "${BUILD_EPOCH:=}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/ingot-local-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"

log() { echo "[$BUCKET/$ARCH] $*"; }

base_layer() {
  log "hardening and patching a fresh Ubuntu ${OS_VERSION} root"
  mkdir -p "$root/etc/ssh/sshd_config.d" "$root/etc/sysctl.d" "$root/etc/ingot" "$root/tmp"
  cat >"$root/etc/os-release" <<OS
NAME="Ubuntu"
VERSION_ID="${OS_VERSION}"
ID=ubuntu
PRETTY_NAME="Ubuntu ${OS_VERSION} (Ingot local image)"
OS
  printf '%s\n' 'PasswordAuthentication no' 'PermitRootLogin no' 'X11Forwarding no' \
    >"$root/etc/ssh/sshd_config.d/50-ingot-hardening.conf"
  printf '%s\n' 'kernel.kptr_restrict = 2' 'net.ipv4.conf.all.rp_filter = 1' \
    >"$root/etc/sysctl.d/50-ingot-hardening.conf"
  printf 'patched_at=%s\n' "${BUILD_EPOCH:-unversioned}" >"$root/etc/ingot/patch-level"
  printf '%s\n' 'agent=prometheus-node-exporter' 'listen=:9100' >"$root/etc/ingot/monitoring-agent.conf"
}

runner_layer() {
  : "${PARENT_IMAGE:?PARENT_IMAGE (the parent image tarball, from the registry) is required for LAYER=runner}"
  if [ ! -f "$PARENT_IMAGE" ]; then
    echo "parent image $PARENT_IMAGE does not exist; build and publish the base image first" >&2
    exit 1
  fi
  log "unpacking the parent image $PARENT_IMAGE"
  tar -xzf "$PARENT_IMAGE" -C "$root"
  RUNNER_ROOT="$root" bash "$here/install-runner.sh"
  log "installing git and the Docker configuration"
  mkdir -p "$root/usr/local/bin" "$root/etc/docker"
  local git_version
  git_version="$(git --version 2>/dev/null || echo 'git version 2.43.0')"
  printf '#!/bin/sh\necho "%s (local image)"\n' "$git_version" >"$root/usr/local/bin/git"
  chmod 0755 "$root/usr/local/bin/git"
  printf '{ "log-driver": "json-file", "log-opts": { "max-size": "50m" } }\n' >"$root/etc/docker/daemon.json"
}

record_versions() {
  local runner="none"
  if [ -f "$root/opt/actions-runner/.runner-version" ]; then
    runner="$(cat "$root/opt/actions-runner/.runner-version")"
  fi
  log "recording versions: runner $runner, Ubuntu $OS_VERSION, commit $GIT_COMMIT"
  cat >"$root/etc/ingot/build-info.json" <<JSON
{"bucket": "$BUCKET", "fingerprint": "$FINGERPRINT", "layer": "$LAYER", "arch": "$ARCH",
 "runner_version": "$runner", "os_version": "$OS_VERSION", "git_commit": "$GIT_COMMIT",
 "parent_image": "${PARENT_IMAGE:-}"}
JSON
}

clean_up() {
  log "cleaning caches and credentials"
  rm -rf "$root/tmp/"* "$root/var/cache/apt" "$root/root/.aws" "$root/root/.config/gcloud" \
    "$root/opt/actions-runner/.credentials" "$root/opt/actions-runner/.runner"
}

case "$LAYER" in
  base) base_layer ;;
  runner) runner_layer ;;
  *)
    echo "LAYER is \"$LAYER\"; use base or runner" >&2
    exit 64
    ;;
esac
record_versions
clean_up
mkdir -p "$(dirname "$IMAGE_PATH")"
tar -czf "$IMAGE_PATH.partial" -C "$root" .
mv "$IMAGE_PATH.partial" "$IMAGE_PATH"
log "image written to $IMAGE_PATH"
