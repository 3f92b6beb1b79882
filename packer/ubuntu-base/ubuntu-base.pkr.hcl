# ubuntu-base: Ubuntu 24.04 hardened, patched and monitored, for AWS (x64 and arm64,
# copied to every configured region) and GCP. Runner images are built on top of it from
# the registry's ubuntu-base channel.

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
  arch             = { "base-x64" = "x64", "base-arm64" = "arm64", "base" = "x64" }
  labels = {
    bucket      = var.bucket
    fingerprint = var.fingerprint
    os          = "ubuntu"
    os_version  = var.os_version
    git_commit  = var.git_commit
    build_epoch = var.build_epoch
  }
  gcp_labels = { for k, v in local.labels : k => substr(lower(regex_replace(v, "[^A-Za-z0-9_-]", "-")), 0, 63) }
}

source "amazon-ebs" "base-x64" {
  region             = local.aws_build_region
  ami_regions        = local.aws_copy_regions
  ami_name           = "${local.name}-x64"
  ami_description    = "Ingot ${var.bucket} (Ubuntu ${var.os_version}, x64), fingerprint ${var.fingerprint}"
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
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
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

source "amazon-ebs" "base-arm64" {
  region             = local.aws_build_region
  ami_regions        = local.aws_copy_regions
  ami_name           = "${local.name}-arm64"
  ami_description    = "Ingot ${var.bucket} (Ubuntu ${var.os_version}, arm64), fingerprint ${var.fingerprint}"
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
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
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

source "googlecompute" "base" {
  project_id                  = var.gcp_project_id
  zone                        = var.gcp_zone
  machine_type                = var.gcp_machine_type
  subnetwork                  = var.gcp_subnetwork != "" ? var.gcp_subnetwork : null
  source_image_family         = "ubuntu-2404-lts-amd64"
  source_image_project_id     = ["ubuntu-os-cloud"]
  image_name                  = local.name
  image_family                = var.bucket
  image_description           = "Ingot ${var.bucket} (Ubuntu ${var.os_version}), fingerprint ${var.fingerprint}"
  image_labels                = local.gcp_labels
  disk_size                   = var.disk_size_gb
  ssh_username                = "packer"
  enable_secure_boot          = true
  enable_vtpm                 = true
  enable_integrity_monitoring = true
}

build {
  sources = [
    "source.amazon-ebs.base-x64",
    "source.amazon-ebs.base-arm64",
    "source.googlecompute.base",
  ]

  # Publishing natively to HCP Packer (or an HCP-compatible registry) is off unless the
  # pipeline runs with hcpPackerRegistry: it sets HCP_PACKER_REGISTRY=off otherwise.
  hcp_packer_registry {
    bucket_name   = var.bucket
    description   = "Ubuntu ${var.os_version}: hardened, patched, monitoring agent"
    bucket_labels = { os = "ubuntu", os_version = var.os_version }
    build_labels  = local.labels
  }

  provisioner "shell" {
    execute_command = "sudo -E env {{ .Vars }} bash '{{ .Path }}'"
    scripts = [
      "${local.scripts}/linux/wait-for-cloud-init.sh",
      "${local.scripts}/linux/patch.sh",
    ]
  }

  provisioner "shell" {
    inline            = ["sudo systemctl reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before    = "30s"
    execute_command = "sudo -E env {{ .Vars }} bash '{{ .Path }}'"
    environment_vars = [
      "BUCKET=${var.bucket}",
      "FINGERPRINT=${var.fingerprint}",
      "GIT_COMMIT=${var.git_commit}",
      "OS_VERSION=${var.os_version}",
      "NODE_EXPORTER_PORT=${var.node_exporter_port}",
    ]
    scripts = [
      "${local.scripts}/linux/wait-for-cloud-init.sh",
      "${local.scripts}/linux/configure-apt.sh",
      "${local.scripts}/linux/harden.sh",
      "${local.scripts}/linux/install-monitoring-agent.sh",
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
      runner_version = "none"
      git_commit     = var.git_commit
      build_epoch    = var.build_epoch
    }
  }
}
