# The image pipeline on one machine, with Debian's packer 1.6.6 and no plugins: the
# `file` builder stands for a cloud image per architecture, and one `shell-local`
# provisioner (scripts/build-image.sh) makes it from a real Debian root file system
# (debootstrap, cached) provisioned by the very scripts the cloud templates run
# (var.scripts, from packer/scripts/), in a chroot. The manifest post-processor writes
# the manifest shape the pipeline publishes (custom_data bucket and fingerprint; region
# "local"; the artifact is the image file). Only the host's architecture builds.

packer {
  required_version = ">= 1.6.6"
}

locals {
  parent_images = {
    x64   = var.parent_image_x64
    arm64 = var.parent_image_arm64
  }
  runner_sha256 = {
    x64   = var.runner_sha256_x64
    arm64 = var.runner_sha256_arm64
  }
}

source "file" "x64" {
  content = "replaced by scripts/build-image.sh"
  target  = "${var.output_dir}/${var.bucket}-x64.tar"
}

source "file" "arm64" {
  content = "replaced by scripts/build-image.sh"
  target  = "${var.output_dir}/${var.bucket}-arm64.tar"
}

build {
  sources = ["source.file.x64", "source.file.arm64"]

  provisioner "shell-local" {
    execute_command = ["/bin/sh", "-c", "{{.Vars}} /bin/bash '{{.Script}}'"]
    environment_vars = [
      "LAYER=${var.layer}",
      "ARCH=${source.name}",
      "IMAGE_PATH=${var.output_dir}/${var.bucket}-${source.name}.tar",
      "PARENT_IMAGE=${lookup(local.parent_images, source.name, "")}",
      "REPO_ROOT=${path.root}/../..",
      "SCRIPTS=${join(",", var.scripts)}",
      "BUCKET=${var.bucket}",
      "FINGERPRINT=${var.fingerprint}",
      "GIT_COMMIT=${var.git_commit}",
      "BUILD_EPOCH=${var.build_epoch}",
      "OS_VERSION=${var.os_version}",
      "NODE_EXPORTER_PORT=9100",
      "RUNNER_VERSION=${var.layer == "runner" ? var.runner_version : ""}",
      "RUNNER_SHA256=${var.layer == "runner" ? lookup(local.runner_sha256, source.name, "") : ""}",
      "RUNNER_ARCH=${source.name}",
      "RUNNER_DIR=/opt/actions-runner",
      "RUNNER_USER=runner",
      "RUNNER_DOWNLOAD_URL=${var.runner_download_url}",
      "AWS_CLI_URL=${var.aws_cli_url}",
      "AWS_CLI_SHA256=${var.aws_cli_sha256}",
    ]
    script = "${path.root}/scripts/build-image.sh"
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = false
    custom_data = {
      bucket         = var.bucket
      fingerprint    = var.fingerprint
      region         = "local"
      arch           = source.name
      os             = "debian"
      os_version     = var.os_version
      runner_version = var.layer == "runner" ? var.runner_version : "none"
      git_commit     = var.git_commit
      build_epoch    = var.build_epoch
    }
  }
}
