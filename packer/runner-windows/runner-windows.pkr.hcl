# runner-windows: the GitHub Actions runner, Git for Windows and Docker (Windows
# containers) on Windows Server, for AWS (copied to every configured region) and GCP.
# Packer connects over WinRM on HTTPS only (scripts/windows/bootstrap-winrm.ps1).

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
  bootstrap        = file("${path.root}/../scripts/windows/bootstrap-winrm.ps1")
  labels = {
    bucket         = var.bucket
    fingerprint    = var.fingerprint
    os             = "windows"
    os_version     = var.os_version
    runner_version = var.runner_version
    git_commit     = var.git_commit
    build_epoch    = var.build_epoch
  }
  gcp_labels = { for k, v in local.labels : k => substr(lower(regex_replace(v, "[^A-Za-z0-9_-]", "-")), 0, 63) }
}

source "amazon-ebs" "runner" {
  region             = local.aws_build_region
  ami_regions        = local.aws_copy_regions
  ami_name           = local.name
  ami_description    = "Ingot ${var.bucket} (Windows Server ${var.os_version}, runner ${var.runner_version}), fingerprint ${var.fingerprint}"
  instance_type      = var.aws_instance_type
  subnet_id          = var.aws_subnet_id != "" ? var.aws_subnet_id : null
  imds_support       = "v2.0"
  encrypt_boot       = true
  kms_key_id         = var.aws_kms_key_id != "" ? var.aws_kms_key_id : null
  region_kms_key_ids = var.aws_region_kms_key_ids
  ami_users          = var.aws_ami_users
  ami_org_arns       = var.aws_ami_org_arns
  snapshot_users     = var.aws_ami_users
  source_ami_filter {
    filters = {
      name                = "Windows_Server-${var.os_version}-English-Full-Base-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }
  user_data      = "<powershell>\n${local.bootstrap}\n</powershell>"
  communicator   = "winrm"
  winrm_username = "Administrator"
  winrm_use_ssl  = true
  winrm_insecure = true
  winrm_timeout  = "30m"
  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.disk_size_gb
    volume_type           = "gp3"
    delete_on_termination = true
  }
  tags          = merge(local.labels, { Name = local.name, arch = "x64" })
  snapshot_tags = merge(local.labels, { Name = local.name, arch = "x64" })
  run_tags      = { Name = "packer-${var.bucket}" }
}

source "googlecompute" "runner" {
  project_id              = var.gcp_project_id
  zone                    = var.gcp_zone
  machine_type            = var.gcp_machine_type
  subnetwork              = var.gcp_subnetwork != "" ? var.gcp_subnetwork : null
  source_image_family     = "windows-${var.os_version}"
  source_image_project_id = ["windows-cloud"]
  image_name              = local.name
  image_family            = var.bucket
  image_description       = "Ingot ${var.bucket} (Windows Server ${var.os_version}, runner ${var.runner_version}), fingerprint ${var.fingerprint}"
  image_labels            = local.gcp_labels
  disk_size               = var.disk_size_gb
  metadata                = { windows-startup-script-ps1 = local.bootstrap }
  communicator            = "winrm"
  winrm_username          = var.winrm_username
  winrm_use_ssl           = true
  winrm_insecure          = true
  winrm_timeout           = "30m"
}

build {
  sources = [
    "source.amazon-ebs.runner",
    "source.googlecompute.runner",
  ]

  # Publishing natively to HCP Packer (or an HCP-compatible registry) is off unless the
  # pipeline runs with hcpPackerRegistry: it sets HCP_PACKER_REGISTRY=off otherwise.
  hcp_packer_registry {
    bucket_name   = var.bucket
    description   = "GitHub Actions runner on Windows Server ${var.os_version}"
    bucket_labels = { os = "windows", os_version = var.os_version }
    build_labels  = local.labels
  }

  provisioner "powershell" {
    environment_vars = [
      "BUCKET=${var.bucket}",
      "FINGERPRINT=${var.fingerprint}",
      "GIT_COMMIT=${var.git_commit}",
      "OS_VERSION=${var.os_version}",
      "RUNNER_VERSION=${var.runner_version}",
      "RUNNER_SHA256=${var.runner_sha256}",
      "RUNNER_DIR=C:\\actions-runner",
      "GIT_VERSION=${var.git_version}",
      "GIT_SHA256=${var.git_sha256}",
      "DOCKER_VERSION=${var.docker_version}",
      "DOCKER_SHA256=${var.docker_sha256}",
      "RUNNER_DOWNLOAD_URL=${var.runner_download_url}",
      "POWERSHELL_VERSION=${var.powershell_version}",
      "POWERSHELL_SHA256=${var.powershell_sha256}",
      "AWS_CLI_VERSION=${var.aws_cli_version}",
      "AWS_CLI_SHA256=${source.type == "amazon-ebs" ? var.aws_cli_sha256 : ""}",
    ]
    scripts = [
      "${local.scripts}/windows/install-powershell.ps1",
      "${local.scripts}/windows/install-aws-cli.ps1",
      "${local.scripts}/windows/install-git.ps1",
      "${local.scripts}/windows/install-runner.ps1",
      "${local.scripts}/windows/install-docker.ps1",
    ]
  }

  provisioner "windows-restart" {
    restart_timeout = "15m"
  }

  provisioner "powershell" {
    environment_vars = [
      "BUCKET=${var.bucket}",
      "FINGERPRINT=${var.fingerprint}",
      "GIT_COMMIT=${var.git_commit}",
      "OS_VERSION=${var.os_version}",
      "RUNNER_DIR=C:\\actions-runner",
    ]
    scripts = [
      "${local.scripts}/windows/record-versions.ps1",
      "${local.scripts}/windows/cleanup.ps1",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      bucket         = var.bucket
      fingerprint    = var.fingerprint
      gcp_project_id = var.gcp_project_id
      arch           = "x64"
      os             = "windows"
      os_version     = var.os_version
      runner_version = var.runner_version
      git_commit     = var.git_commit
      build_epoch    = var.build_epoch
    }
  }
}
