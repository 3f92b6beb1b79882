# Variables of runner-ubuntu. The pipeline (src/images) fills in bucket, fingerprint,
# git_commit, build_epoch and manifest_path, and the cloud settings from the stack's
# `images` config.

variable "bucket" {
  type        = string
  description = "Registry bucket this build publishes to."
  default     = "runner-ubuntu"
  validation {
    condition     = can(regex("^[A-Za-z0-9-]{3,36}$", var.bucket))
    error_message = "The bucket must be 3-36 letters, digits or hyphens."
  }
}

variable "fingerprint" {
  type        = string
  description = "Version fingerprint the pipeline publishes these builds under (content hash and commit)."
  validation {
    condition     = can(regex("^[A-Za-z0-9._:+-]{1,128}$", var.fingerprint))
    error_message = "The fingerprint must be 1-128 of A-Z a-z 0-9 . _ : + -."
  }
}

variable "git_commit" {
  type        = string
  description = "Commit of the template and scripts, recorded as a build label."
  default     = "unknown"
}

variable "build_epoch" {
  type        = string
  description = "Opaque rebuild marker (e.g. the ISO week of the scheduled build), recorded as a build label."
  default     = ""
}

variable "manifest_path" {
  type        = string
  description = "Where the manifest post-processor writes the manifest the pipeline publishes."
  default     = "packer-manifest.json"
}

variable "os_version" {
  type        = string
  description = "Ubuntu release of the image; the build fails if the source image is another one."
  default     = "24.04"
}

variable "disk_size_gb" {
  type        = number
  description = "Root disk size in GiB."
  default     = 60
  validation {
    condition     = var.disk_size_gb >= 10
    error_message = "The root disk needs at least 10 GiB."
  }
}

variable "aws_regions" {
  type        = list(string)
  description = "AWS regions of the images: built in the first, copied to the others with ami_regions."
  default     = ["us-east-1"]
  validation {
    condition     = length(var.aws_regions) > 0 && alltrue([for r in var.aws_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", r))])
    error_message = "The aws_regions must be a non-empty list of region names such as us-east-1."
  }
}

variable "aws_instance_type_x64" {
  type        = string
  description = "Instance type that builds the x64 AMI."
  default     = "t3.medium"
}

variable "aws_instance_type_arm64" {
  type        = string
  description = "Instance type that builds the arm64 AMI."
  default     = "t4g.medium"
}

variable "aws_subnet_id" {
  type        = string
  description = "Subnet of the build instances in the first region; empty for the default VPC."
  default     = ""
}

variable "gcp_project_id" {
  type        = string
  description = "GCP project the image is built and stored in; required when the googlecompute source is built."
  default     = ""
}

variable "gcp_zone" {
  type        = string
  description = "GCP zone of the build instance."
  default     = "us-central1-a"
}

variable "gcp_machine_type" {
  type        = string
  description = "GCP machine type of the build instance."
  default     = "e2-standard-2"
}

variable "gcp_subnetwork" {
  type        = string
  description = "GCP subnetwork of the build instance; empty for the default network."
  default     = ""
}

variable "clouds" {
  type        = list(string)
  description = "Clouds this run builds (aws, gcp): which of the parent's artifacts the data sources read."
  default     = ["aws"]
  validation {
    condition     = length(var.clouds) > 0 && alltrue([for c in var.clouds : contains(["aws", "gcp"], c)])
    error_message = "The clouds must list aws and/or gcp."
  }
}

variable "parent_bucket" {
  type        = string
  description = "Registry bucket of the parent image (hcp-packer-version data source)."
  default     = "ubuntu-base"
}

variable "parent_channel" {
  type        = string
  description = "Registry channel the parent image is read from; Packer records it as the build's parent channel."
  default     = "dev"
}

variable "runner_download_url" {
  type        = string
  description = "Base URL of the runner packages: <url>/v<version>/actions-runner-linux-<arch>-<version>.tar.gz."
  default     = "https://github.com/actions/runner/releases/download"
}

variable "aws_cli_url_x64" {
  type        = string
  description = "AWS CLI v2 installer zip for x64 (e.g. https://awscli.amazonaws.com/awscli-exe-linux-x86_64-2.22.35.zip); empty installs the aws-cli snap (Ubuntu 24.04 has no awscli package)."
  default     = ""
}

variable "aws_cli_sha256_x64" {
  type        = string
  description = "SHA-256 of aws_cli_url_x64; required with it."
  default     = ""
  validation {
    condition     = var.aws_cli_sha256_x64 == "" || can(regex("^[0-9a-f]{64}$", var.aws_cli_sha256_x64))
    error_message = "The aws_cli_sha256_x64 must be 64 lowercase hex digits."
  }
}

variable "aws_cli_url_arm64" {
  type        = string
  description = "AWS CLI v2 installer zip for arm64 (awscli-exe-linux-aarch64-<version>.zip); empty installs the aws-cli snap."
  default     = ""
}

variable "aws_cli_sha256_arm64" {
  type        = string
  description = "SHA-256 of aws_cli_url_arm64; required with it."
  default     = ""
  validation {
    condition     = var.aws_cli_sha256_arm64 == "" || can(regex("^[0-9a-f]{64}$", var.aws_cli_sha256_arm64))
    error_message = "The aws_cli_sha256_arm64 must be 64 lowercase hex digits."
  }
}

variable "runner_version" {
  type        = string
  description = "GitHub Actions runner version installed in the image (pinned; bump it with its checksums)."
  default     = "2.330.0"
}

variable "runner_sha256_x64" {
  type        = string
  description = "SHA-256 of actions-runner-linux-x64-<runner_version>.tar.gz, from the runner's release page."
  default     = "af5c33fa94f3cc33b8e97937939136a6b04197e6dadfcfb3b6e33ae1bf41e79a"
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.runner_sha256_x64))
    error_message = "The runner_sha256_x64 must be 64 lowercase hex digits."
  }
}

variable "runner_sha256_arm64" {
  type        = string
  description = "SHA-256 of actions-runner-linux-arm64-<runner_version>.tar.gz, from the runner's release page."
  default     = "9cb43527912086c7c8fb4119cb06409fcbcbd6f93a2d8507f30b07c495620f5c"
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.runner_sha256_arm64))
    error_message = "The runner_sha256_arm64 must be 64 lowercase hex digits."
  }
}

variable "name_suffix" {
  type        = string
  description = "Suffix of every image name, unique per building stack (the pipeline's random id), so two stacks building the same fingerprint never collide."
  default     = "manual"
  validation {
    condition     = can(regex("^[a-z0-9]{4,12}$", var.name_suffix))
    error_message = "The name_suffix must be 4-12 lowercase letters or digits."
  }
}

variable "aws_kms_key_id" {
  type        = string
  description = "KMS key (id, alias or ARN) that encrypts the AMIs' snapshots; empty for the AWS managed key (aws/ebs), which cannot be shared with other accounts."
  default     = ""
}

variable "aws_region_kms_key_ids" {
  type        = map(string)
  description = "KMS key per copy region (KMS keys are regional); needed with aws_kms_key_id when aws_regions has more than one region."
  default     = {}
}

variable "aws_ami_users" {
  type        = list(string)
  description = "AWS account ids the AMIs and their snapshots are shared with."
  default     = []
  validation {
    condition     = alltrue([for a in var.aws_ami_users : can(regex("^[0-9]{12}$", a))])
    error_message = "The aws_ami_users must be 12-digit AWS account ids."
  }
}

variable "aws_ami_org_arns" {
  type        = list(string)
  description = "AWS Organizations (arn:aws:organizations::<account>:organization/o-...) the AMIs are shared with."
  default     = []
  validation {
    condition     = alltrue([for a in var.aws_ami_org_arns : can(regex("^arn:aws[a-z-]*:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$", a))])
    error_message = "The aws_ami_org_arns must be organization ARNs such as arn:aws:organizations::123456789012:organization/o-abcd123456."
  }
}
