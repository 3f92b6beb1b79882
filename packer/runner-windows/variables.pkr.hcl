# Variables of runner-windows. The pipeline (src/images) fills in bucket, fingerprint,
# git_commit, build_epoch and manifest_path, and the cloud settings from the stack's
# `images` config.

variable "bucket" {
  type        = string
  description = "Registry bucket this build publishes to."
  default     = "runner-windows"
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
  description = "Windows Server release of the image (2022 or 2025: both ship EC2Launch v2, which cleanup.ps1 uses to generalize); the build fails if the source image is another one."
  default     = "2022"
  validation {
    condition     = contains(["2022", "2025"], var.os_version)
    error_message = "The os_version must be 2022 or 2025 (2019 ships EC2Launch v1, which the image's cleanup does not drive)."
  }
}

variable "disk_size_gb" {
  type        = number
  description = "Root disk size in GiB."
  default     = 80
  validation {
    condition     = var.disk_size_gb >= 50
    error_message = "Windows Server needs at least 50 GiB."
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

variable "aws_instance_type" {
  type        = string
  description = "Instance type that builds the AMI."
  default     = "t3.xlarge"
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
  default     = "e2-standard-4"
}

variable "gcp_subnetwork" {
  type        = string
  description = "GCP subnetwork of the build instance; empty for the default network."
  default     = ""
}

variable "winrm_username" {
  type        = string
  description = "Account Packer connects as over WinRM (HTTPS, port 5986); its password is generated per build."
  default     = "packer_user"
}

variable "runner_version" {
  type        = string
  description = "GitHub Actions runner version installed in the image (pinned; bump it with its checksum)."
  default     = "2.330.0"
}

variable "runner_sha256" {
  type        = string
  description = "SHA-256 of actions-runner-win-x64-<runner_version>.zip, from the runner's release page."
  default     = "a7469e7f2949657327fdd75688fd8858e1352202847d024d68b93de033990779"
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.runner_sha256))
    error_message = "The runner_sha256 must be 64 lowercase hex digits."
  }
}

variable "git_version" {
  type        = string
  description = "Git for Windows version installed in the image."
  default     = "2.47.1"
}

variable "git_sha256" {
  type        = string
  description = "SHA-256 of Git-<git_version>-64-bit.exe from the Git for Windows release page (no default: set it with the version)."
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.git_sha256))
    error_message = "The git_sha256 must be 64 lowercase hex digits."
  }
}

variable "docker_version" {
  type        = string
  description = "Docker Engine (static binaries for Windows containers) version installed in the image."
  default     = "27.3.1"
}

variable "docker_sha256" {
  type        = string
  description = "SHA-256 of docker-<docker_version>.zip from download.docker.com/win/static/stable/x86_64 (no default: set it with the version)."
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.docker_sha256))
    error_message = "The docker_sha256 must be 64 lowercase hex digits."
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

variable "runner_download_url" {
  type        = string
  description = "Base URL of the runner packages: <url>/v<version>/actions-runner-win-x64-<version>.zip."
  default     = "https://github.com/actions/runner/releases/download"
}

variable "powershell_version" {
  type        = string
  description = "PowerShell 7 version installed in the image (the fleet's boot script runs on it)."
  default     = "7.4.6"
}

variable "powershell_sha256" {
  type        = string
  description = "SHA-256 of PowerShell-<powershell_version>-win-x64.msi from the PowerShell release (no default: set it with the version)."
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.powershell_sha256))
    error_message = "The powershell_sha256 must be 64 lowercase hex digits."
  }
}

variable "aws_cli_sha256" {
  type        = string
  description = "SHA-256 of the AWS CLI v2 MSI (https://awscli.amazonaws.com/AWSCLIV2-<aws_cli_version>.msi); empty skips the AWS CLI (GCP images)."
  default     = ""
}

variable "aws_cli_version" {
  type        = string
  description = "AWS CLI v2 version installed in AWS images (the fleet's boot script reads its secret with it)."
  default     = "2.22.35"
}
