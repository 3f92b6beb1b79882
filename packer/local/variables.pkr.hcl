# Variables of the local template. The pipeline (src/images) fills in bucket,
# fingerprint, git_commit, manifest_path and output_dir; the parent image comes from the
# registry channel of the base bucket.

variable "bucket" {
  type        = string
  description = "Registry bucket this build publishes to, e.g. local-runner."
  validation {
    condition     = length(var.bucket) >= 3 && length(var.bucket) <= 36
    error_message = "The bucket must be 3-36 characters (letters, digits or hyphens)."
  }
}

variable "fingerprint" {
  type        = string
  description = "Version fingerprint the pipeline publishes these builds under (content hash and commit)."
  validation {
    condition     = length(var.fingerprint) >= 1 && length(var.fingerprint) <= 128
    error_message = "The fingerprint must be 1-128 characters (A-Z a-z 0-9 . _ : + -)."
  }
}

variable "git_commit" {
  type        = string
  description = "Commit of the template and scripts, recorded as a build label."
  default     = "unknown"
}

variable "build_epoch" {
  type        = string
  description = "Opaque rebuild marker (e.g. the ISO week of a scheduled build), recorded as a build label."
  default     = ""
}

variable "manifest_path" {
  type        = string
  description = "Where the manifest post-processor writes the manifest the pipeline publishes."
}

variable "output_dir" {
  type        = string
  description = "Directory for the image tarballs (one per architecture)."
}

variable "layer" {
  type        = string
  description = "What to build: base (hardened OS) or runner (the CI runner on top of a parent image)."
  default     = "base"
  validation {
    condition     = var.layer == "base" || var.layer == "runner"
    error_message = "The layer must be base or runner."
  }
}

variable "parent_image_x64" {
  type        = string
  description = "x64 parent image (a tarball path, resolved from the registry) for layer runner; empty for base."
  default     = ""
}

variable "parent_image_arm64" {
  type        = string
  description = "arm64 parent image (a tarball path, resolved from the registry) for layer runner; empty for base."
  default     = ""
}

variable "os_version" {
  type        = string
  description = "Ubuntu release the image claims, recorded as a build label."
  default     = "24.04"
}

variable "runner_version" {
  type        = string
  description = "Version the runner stand-in is installed as (pinned, like the real runner)."
  default     = "2.319.1"
}

variable "runner_sha256_x64" {
  type        = string
  description = "SHA-256 of the x64 runner package (files/actions-runner-stub.sh); the x64 build fails when the package does not match."
  default     = "f0eda06dbe4583af5d8b1285aeed1223056c3885491bc1bab96df41796cc2562"
  validation {
    condition     = length(var.runner_sha256_x64) == 64 && lower(var.runner_sha256_x64) == var.runner_sha256_x64
    error_message = "The runner_sha256_x64 must be 64 lowercase hex digits."
  }
}

variable "runner_sha256_arm64" {
  type        = string
  description = "SHA-256 of the arm64 runner package (files/actions-runner-stub.sh); the arm64 build fails when the package does not match."
  default     = "f0eda06dbe4583af5d8b1285aeed1223056c3885491bc1bab96df41796cc2562"
  validation {
    condition     = length(var.runner_sha256_arm64) == 64 && lower(var.runner_sha256_arm64) == var.runner_sha256_arm64
    error_message = "The runner_sha256_arm64 must be 64 lowercase hex digits."
  }
}
