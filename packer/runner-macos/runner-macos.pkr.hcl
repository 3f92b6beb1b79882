# runner-macos: the GitHub Actions runner and git on macOS, built on an EC2 Mac
# dedicated host (placement tenancy "host", by host id or host resource group) and
# copied to every configured region. No Docker: EC2 Mac instances cannot run the
# virtualization Docker Desktop needs.

packer {
  required_version = ">= 1.10.0"
  required_plugins {
    amazon = {
      version = "1.7.0"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

locals {
  scripts          = "${path.root}/../scripts"
  aws_build_region = var.aws_regions[0]
  aws_copy_regions = slice(var.aws_regions, 1, length(var.aws_regions))
  name             = "${var.bucket}-${substr(lower(regex_replace(var.fingerprint, "[^A-Za-z0-9-]", "-")), 0, 16)}-${var.name_suffix}"
  labels = {
    bucket         = var.bucket
    fingerprint    = var.fingerprint
    os             = "macos"
    os_version     = var.os_version
    runner_version = var.runner_version
    git_commit     = var.git_commit
    build_epoch    = var.build_epoch
  }
}

source "amazon-ebs" "runner-arm64" {
  region             = local.aws_build_region
  ami_regions        = local.aws_copy_regions
  ami_name           = "${local.name}-arm64"
  ami_description    = "Ingot ${var.bucket} (macOS ${var.os_version}, runner ${var.runner_version}), fingerprint ${var.fingerprint}"
  instance_type      = var.mac_instance_type
  subnet_id          = var.aws_subnet_id != "" ? var.aws_subnet_id : null
  ssh_username       = "ec2-user"
  ssh_timeout        = "2h"
  encrypt_boot       = true
  kms_key_id         = var.aws_kms_key_id != "" ? var.aws_kms_key_id : null
  region_kms_key_ids = var.aws_region_kms_key_ids
  ami_users          = var.aws_ami_users
  ami_org_arns       = var.aws_ami_org_arns
  snapshot_users     = var.aws_ami_users
  source_ami_filter {
    filters = {
      name                = "amzn-ec2-macos-${var.os_version}.*-arm64"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }
  placement {
    tenancy                 = "host"
    host_id                 = var.mac_host_id != "" ? var.mac_host_id : null
    host_resource_group_arn = var.mac_host_resource_group_arn != "" ? var.mac_host_resource_group_arn : null
  }
  aws_polling {
    delay_seconds = 60
    max_attempts  = 180
  }
  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.disk_size_gb
    volume_type           = "gp3"
    delete_on_termination = true
  }
  tags          = merge(local.labels, { Name = "${local.name}-arm64", arch = "arm64" })
  snapshot_tags = merge(local.labels, { Name = "${local.name}-arm64", arch = "arm64" })
  run_tags      = { Name = "packer-${var.bucket}-arm64" }
}

build {
  sources = ["source.amazon-ebs.runner-arm64"]

  # Publishing natively to HCP Packer (or an HCP-compatible registry) is off unless the
  # pipeline runs with hcpPackerRegistry: it sets HCP_PACKER_REGISTRY=off otherwise.
  hcp_packer_registry {
    bucket_name   = var.bucket
    description   = "GitHub Actions runner on macOS ${var.os_version} (Apple silicon)"
    bucket_labels = { os = "macos", os_version = var.os_version }
    build_labels  = local.labels
  }

  provisioner "shell" {
    execute_command = "sudo -E env {{ .Vars }} bash '{{ .Path }}'"
    environment_vars = [
      "BUCKET=${var.bucket}",
      "FINGERPRINT=${var.fingerprint}",
      "GIT_COMMIT=${var.git_commit}",
      "OS_VERSION=${var.os_version}",
      "RUNNER_VERSION=${var.runner_version}",
      "RUNNER_SHA256=${var.runner_sha256_arm64}",
      "RUNNER_ARCH=arm64",
      "RUNNER_DIR=/opt/actions-runner",
      "RUNNER_USER=runner",
      "RUNNER_DOWNLOAD_URL=${var.runner_download_url}",
    ]
    scripts = [
      "${local.scripts}/macos/install-tools.sh",
      "${local.scripts}/macos/install-git.sh",
      "${local.scripts}/common/install-runner.sh",
      "${local.scripts}/common/record-versions.sh",
      "${local.scripts}/macos/cleanup.sh",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      bucket         = var.bucket
      fingerprint    = var.fingerprint
      arch           = "arm64"
      os             = "macos"
      os_version     = var.os_version
      runner_version = var.runner_version
      git_commit     = var.git_commit
      build_epoch    = var.build_epoch
    }
  }
}
