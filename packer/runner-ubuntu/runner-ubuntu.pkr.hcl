# runner-ubuntu: the GitHub Actions runner, git, Docker and the AWS CLI on top of
# ubuntu-base, for AWS (x64 and arm64, copied to every configured region) and GCP. The
# source images are the parent's artifacts on the registry channel var.parent_channel,
# read with Packer's hcp-packer-version / hcp-packer-artifact data sources, as
# HashiCorp's docs do: Packer then records the parent version and channel
# (parent_version_id, parent_channel_id) itself when it publishes, against Ingot
# (HCP_API_ADDRESS) and HCP Packer alike.

packer {
  required_version = ">= 1.10.0"
  required_plugins {
    amazon = {
      version = "1.7.0"
      source  = "github.com/hashicorp/amazon"
    }
    googlecompute = {
      version = "1.2.4"
      source  = "github.com/hashicorp/googlecompute"
    }
  }
}

locals {
  scripts          = "${path.root}/../scripts"
  aws_build_region = var.aws_regions[0]
  aws_copy_regions = slice(var.aws_regions, 1, length(var.aws_regions))
  name             = "${var.bucket}-${substr(lower(regex_replace(var.fingerprint, "[^A-Za-z0-9-]", "-")), 0, 16)}-${var.name_suffix}"
  arch             = { "runner-x64" = "x64", "runner-arm64" = "arm64", "runner" = "x64" }
  runner_sha256    = { "runner-x64" = var.runner_sha256_x64, "runner-arm64" = var.runner_sha256_arm64, "runner" = var.runner_sha256_x64 }
  aws_cli_url      = { "runner-x64" = var.aws_cli_url_x64, "runner-arm64" = var.aws_cli_url_arm64, "runner" = "" }
  aws_cli_sha256   = { "runner-x64" = var.aws_cli_sha256_x64, "runner-arm64" = var.aws_cli_sha256_arm64, "runner" = "" }
  labels = {
    bucket         = var.bucket
    fingerprint    = var.fingerprint
    os             = "ubuntu"
    os_version     = var.os_version
    runner_version = var.runner_version
    git_commit     = var.git_commit
    build_epoch    = var.build_epoch
  }
  gcp_labels = { for k, v in local.labels : k => substr(lower(regex_replace(v, "[^A-Za-z0-9_-]", "-")), 0, 63) }
}

# Packer evaluates every data source, whichever sources -only builds, so a lookup for a
# cloud this run does not build reads an artifact of one it does (the parent's first
# build) instead of failing on an artifact that was never made.
data "hcp-packer-version" "parent" {
  bucket_name  = var.parent_bucket
  channel_name = var.parent_channel
}

data "hcp-packer-artifact" "parent-x64" {
  bucket_name         = var.parent_bucket
  version_fingerprint = data.hcp-packer-version.parent.fingerprint
  platform            = contains(var.clouds, "aws") ? "aws" : "gce"
  region              = contains(var.clouds, "aws") ? var.aws_regions[0] : var.gcp_zone
  component_type      = contains(var.clouds, "aws") ? "amazon-ebs.base-x64" : "googlecompute.base"
}

data "hcp-packer-artifact" "parent-arm64" {
  bucket_name         = var.parent_bucket
  version_fingerprint = data.hcp-packer-version.parent.fingerprint
  platform            = contains(var.clouds, "aws") ? "aws" : "gce"
  region              = contains(var.clouds, "aws") ? var.aws_regions[0] : var.gcp_zone
  component_type      = contains(var.clouds, "aws") ? "amazon-ebs.base-arm64" : "googlecompute.base"
}

data "hcp-packer-artifact" "parent-gce" {
  bucket_name         = var.parent_bucket
  version_fingerprint = data.hcp-packer-version.parent.fingerprint
  platform            = contains(var.clouds, "gcp") ? "gce" : "aws"
  region              = contains(var.clouds, "gcp") ? var.gcp_zone : var.aws_regions[0]
  component_type      = contains(var.clouds, "gcp") ? "googlecompute.base" : "amazon-ebs.base-x64"
}

source "amazon-ebs" "runner-x64" {
  region             = local.aws_build_region
  ami_regions        = local.aws_copy_regions
  ami_name           = "${local.name}-x64"
  ami_description    = "Ingot ${var.bucket} (runner ${var.runner_version}, x64), fingerprint ${var.fingerprint}"
  source_ami         = data.hcp-packer-artifact.parent-x64.external_identifier
  instance_type      = var.aws_instance_type_x64
  subnet_id          = var.aws_subnet_id != "" ? var.aws_subnet_id : null
  ssh_username       = "ubuntu"
  imds_support       = "v2.0"
  encrypt_boot       = true
  kms_key_id         = var.aws_kms_key_id != "" ? var.aws_kms_key_id : null
  region_kms_key_ids = var.aws_region_kms_key_ids
  ami_users          = var.aws_ami_users
  ami_org_arns       = var.aws_ami_org_arns
  snapshot_users     = var.aws_ami_users
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.disk_size_gb
    volume_type           = "gp3"
    delete_on_termination = true
  }
  tags          = merge(local.labels, { Name = "${local.name}-x64", arch = "x64" })
  snapshot_tags = merge(local.labels, { Name = "${local.name}-x64", arch = "x64" })
  run_tags      = { Name = "packer-${var.bucket}-x64" }
}

source "amazon-ebs" "runner-arm64" {
  region             = local.aws_build_region
  ami_regions        = local.aws_copy_regions
  ami_name           = "${local.name}-arm64"
  ami_description    = "Ingot ${var.bucket} (runner ${var.runner_version}, arm64), fingerprint ${var.fingerprint}"
  source_ami         = data.hcp-packer-artifact.parent-arm64.external_identifier
  instance_type      = var.aws_instance_type_arm64
  subnet_id          = var.aws_subnet_id != "" ? var.aws_subnet_id : null
  ssh_username       = "ubuntu"
  imds_support       = "v2.0"
  encrypt_boot       = true
  kms_key_id         = var.aws_kms_key_id != "" ? var.aws_kms_key_id : null
  region_kms_key_ids = var.aws_region_kms_key_ids
  ami_users          = var.aws_ami_users
  ami_org_arns       = var.aws_ami_org_arns
  snapshot_users     = var.aws_ami_users
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
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

source "googlecompute" "runner" {
  project_id                  = var.gcp_project_id
  zone                        = var.gcp_zone
  machine_type                = var.gcp_machine_type
  subnetwork                  = var.gcp_subnetwork != "" ? var.gcp_subnetwork : null
  source_image                = data.hcp-packer-artifact.parent-gce.external_identifier
  source_image_project_id     = [var.gcp_project_id]
  image_name                  = local.name
  image_family                = var.bucket
  image_description           = "Ingot ${var.bucket} (runner ${var.runner_version}), fingerprint ${var.fingerprint}"
  image_labels                = local.gcp_labels
  disk_size                   = var.disk_size_gb
  ssh_username                = "packer"
  enable_secure_boot          = true
  enable_vtpm                 = true
  enable_integrity_monitoring = true
}

build {
  sources = [
    "source.amazon-ebs.runner-x64",
    "source.amazon-ebs.runner-arm64",
    "source.googlecompute.runner",
  ]

  # Publishing natively to HCP Packer (or an HCP-compatible registry) is off unless the
  # pipeline runs with hcpPackerRegistry: it sets HCP_PACKER_REGISTRY=off otherwise.
  hcp_packer_registry {
    bucket_name   = var.bucket
    description   = "GitHub Actions runner on Ubuntu ${var.os_version}, built on ubuntu-base"
    bucket_labels = { os = "ubuntu", os_version = var.os_version }
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
      "RUNNER_SHA256=${local.runner_sha256[source.name]}",
      "RUNNER_ARCH=${local.arch[source.name]}",
      "RUNNER_DIR=/opt/actions-runner",
      "RUNNER_USER=runner",
      "RUNNER_DOWNLOAD_URL=${var.runner_download_url}",
      "AWS_CLI_URL=${local.aws_cli_url[source.name]}",
      "AWS_CLI_SHA256=${local.aws_cli_sha256[source.name]}",
    ]
    scripts = [
      "${local.scripts}/linux/wait-for-cloud-init.sh",
      "${local.scripts}/linux/install-git.sh",
      "${local.scripts}/common/install-runner.sh",
      "${local.scripts}/linux/install-docker.sh",
      "${local.scripts}/linux/install-aws-cli.sh",
      "${local.scripts}/common/record-versions.sh",
      "${local.scripts}/linux/cleanup.sh",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      bucket         = var.bucket
      fingerprint    = var.fingerprint
      gcp_project_id = var.gcp_project_id
      arch           = local.arch[source.name]
      os             = "ubuntu"
      os_version     = var.os_version
      runner_version = var.runner_version
      git_commit     = var.git_commit
      build_epoch    = var.build_epoch
    }
  }
}
