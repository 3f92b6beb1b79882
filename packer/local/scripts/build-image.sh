#!/usr/bin/env bash
# Builds a local "image", the stand-in for an AMI or a GCE image in the local pipeline:
# a root file system in a tarball, provisioned by the very scripts the cloud templates
# run (SCRIPTS: packer/scripts/linux/*, packer/scripts/common/*), each as root inside
# the image (a chroot in a private mount namespace), as Packer's shell provisioner runs
# them with `sudo -E env VARS bash SCRIPT`. LAYER=base starts from a Debian root file
# system made by debootstrap (debian-rootfs.sh, cached); LAYER=runner from the parent
# image (PARENT_IMAGE, resolved from the registry). A script that fails stops the build,
# naming the script, with its output. Needs root (chroot, mount).
set -euo pipefail

: "${LAYER:?LAYER must be base or runner}" "${ARCH:?}" "${IMAGE_PATH:?}" "${BUCKET:?}"
: "${FINGERPRINT:?}" "${OS_VERSION:?}" "${SCRIPTS:?SCRIPTS lists the provisioning scripts}"
: "${REPO_ROOT:?}" "${GIT_COMMIT:=unknown}" "${BUILD_EPOCH:=}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[$BUCKET/$ARCH] $*"; }

host_arch="$(uname -m)"
case "$ARCH:$host_arch" in
  x64:x86_64 | arm64:aarch64) ;;
  *)
    echo "the local builder builds the host's architecture ($host_arch) only, not $ARCH: build file.x64 on x86_64 and file.arm64 on aarch64" >&2
    exit 1
    ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "the local builder needs root (chroot and mounts); run the local pipeline as root" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ingot-local-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"

case "$LAYER" in
  base)
    rootfs="$(bash "$here/debian-rootfs.sh")"
    log "starting from $rootfs"
    tar --numeric-owner -xf "$rootfs" -C "$root"
    ;;
  runner)
    : "${PARENT_IMAGE:?PARENT_IMAGE (the parent image, from the registry) is required for LAYER=runner}"
    if [ ! -f "$PARENT_IMAGE" ]; then
      echo "parent image $PARENT_IMAGE does not exist; build and publish the base image first" >&2
      exit 1
    fi
    log "starting from the parent image $PARENT_IMAGE"
    tar --numeric-owner -xf "$PARENT_IMAGE" -C "$root"
    ;;
  *)
    echo "LAYER is \"$LAYER\"; use base or runner" >&2
    exit 64
    ;;
esac

# The scripts and their environment go into the image's /tmp, as Packer uploads them.
install -d -m 0700 "$root/tmp/ingot-provision"
list="$root/tmp/ingot-provision/scripts"
: >"$list"
IFS=',' read -r -a scripts <<<"$SCRIPTS"
for script in "${scripts[@]}"; do
  [ -f "$REPO_ROOT/$script" ] || {
    echo "provisioning script $script does not exist under $REPO_ROOT" >&2
    exit 1
  }
  install -m 0755 "$REPO_ROOT/$script" "$root/tmp/ingot-provision/$(basename "$script")"
  printf '%s\n' "$script" >>"$list"
done
env_file="$root/tmp/ingot-provision/environment"
: >"$env_file"
for name in BUCKET FINGERPRINT GIT_COMMIT OS_VERSION NODE_EXPORTER_PORT RUNNER_VERSION RUNNER_SHA256 \
  RUNNER_ARCH RUNNER_DIR RUNNER_USER RUNNER_DOWNLOAD_URL AWS_CLI_URL AWS_CLI_SHA256; do
  if [ -n "${!name:-}" ]; then printf '%s=%s\n' "$name" "${!name}" >>"$env_file"; fi
done

unshare --mount --propagation private bash "$here/provision.sh" "$root" "$BUCKET/$ARCH"

log "packing the image"
mkdir -p "$(dirname "$IMAGE_PATH")"
tar --numeric-owner -C "$root" -cf "$IMAGE_PATH.partial" .
mv "$IMAGE_PATH.partial" "$IMAGE_PATH"
log "image written to $IMAGE_PATH ($(du -h "$IMAGE_PATH" | cut -f 1))"
