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
  description = "Windows Server release of the image; the build fails if the source image is another one."
  default     = "2022"
  validation {
    condition     = contains(["2019", "2022", "2025"], var.os_version)
    error_message = "The os_version must be 2019, 2022 or 2025."
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
  default     = "2.319.1"
}

variable "runner_sha256" {
  type        = string
  description = "SHA-256 of actions-runner-win-x64-<runner_version>.zip, from the runner's release page."
  default     = "1c78c51d20b817fb639e0b0ab564cf0469d083ad543ca3d0d7a2cdad5723f3a7"
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
