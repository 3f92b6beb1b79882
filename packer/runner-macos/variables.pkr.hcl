# Variables of runner-macos. The pipeline (src/images) fills in bucket, fingerprint,
# git_commit, build_epoch and manifest_path, and the AWS settings (regions, dedicated
# host) from the stack's `images` config. macOS builds only on AWS dedicated hosts.

variable "bucket" {
  type        = string
  description = "Registry bucket this build publishes to."
  default     = "runner-macos"
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
  description = "macOS major release of the image (EC2 macOS AMI); the build fails if the source image is another one."
  default     = "14"
}

variable "disk_size_gb" {
  type        = number
  description = "Root volume size in GiB."
  default     = 200
  validation {
    condition     = var.disk_size_gb >= 100
    error_message = "The disk_size_gb must be at least 100: macOS images need 100 GiB."
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

variable "mac_instance_type" {
  type        = string
  description = "EC2 Mac instance type (Apple silicon); it must match the dedicated host's type."
  default     = "mac2.metal"
  validation {
    condition     = can(regex("^mac2(-m[0-9]+(pro)?)?\\.metal$", var.mac_instance_type))
    error_message = "The mac_instance_type must be an Apple silicon EC2 Mac type such as mac2.metal or mac2-m2.metal."
  }
}

variable "mac_host_id" {
  type        = string
  description = "Dedicated host to build on (h-...); set exactly one of mac_host_id and mac_host_resource_group_arn."
  default     = ""
  validation {
    condition     = var.mac_host_id == "" || can(regex("^h-[0-9a-f]{8,17}$", var.mac_host_id))
    error_message = "The mac_host_id must be a dedicated host id (h-...) or empty."
  }
}

variable "mac_host_resource_group_arn" {
  type        = string
  description = "Host resource group (License Manager) to build in; set exactly one of mac_host_id and mac_host_resource_group_arn."
  default     = ""
  validation {
    condition     = var.mac_host_resource_group_arn == "" || can(regex("^arn:aws[a-z-]*:resource-groups:", var.mac_host_resource_group_arn))
    error_message = "The mac_host_resource_group_arn must be a resource group ARN (arn:aws:resource-groups:...) or empty."
  }
}

variable "aws_subnet_id" {
  type        = string
  description = "Subnet of the build instance, in the dedicated host's availability zone; empty for the default VPC."
  default     = ""
}

variable "runner_version" {
  type        = string
  description = "GitHub Actions runner version installed in the image (pinned; bump it with its checksum)."
  default     = "2.330.0"
}

variable "runner_sha256_arm64" {
  type        = string
  description = "SHA-256 of actions-runner-osx-arm64-<runner_version>.tar.gz, from the runner's release (npm run images:bump-runner sets it)."
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

variable "runner_download_url" {
  type        = string
  description = "Base URL of the runner packages: <url>/v<version>/actions-runner-osx-arm64-<version>.tar.gz."
  default     = "https://github.com/actions/runner/releases/download"
}
