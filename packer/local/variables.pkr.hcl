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

variable "scripts" {
  type        = list(string)
  description = "Provisioning scripts, relative to the repository root, in order: the cloud template's own list (the pipeline passes it from src/images/template-catalog.ts)."
  validation {
    condition     = length(var.scripts) > 0
    error_message = "The scripts must list at least one provisioning script, e.g. packer/scripts/linux/patch.sh."
  }
}

variable "os_version" {
  type        = string
  description = "Debian release of the root file system (debootstrap bookworm is 12); record-versions.sh fails the build when the image runs another."
  default     = "12"
}

variable "runner_version" {
  type        = string
  description = "GitHub Actions runner version installed by layer runner (pinned, as in the cloud templates)."
  default     = "2.330.0"
}

variable "runner_download_url" {
  type        = string
  description = "Where the runner package is downloaded from: <url>/v<version>/actions-runner-linux-<arch>-<version>.tar.gz (locally, a server on 127.0.0.1)."
  default     = "https://github.com/actions/runner/releases/download"
  validation {
    condition     = substr(var.runner_download_url, 0, 7) == "http://" || substr(var.runner_download_url, 0, 8) == "https://"
    error_message = "The runner_download_url must be an http(s) URL, e.g. http://127.0.0.1:8080/runner."
  }
}

variable "runner_sha256_x64" {
  type        = string
  description = "SHA-256 of the x64 runner package; the x64 build fails when the download does not match."
  default     = "af5c33fa94f3cc33b8e97937939136a6b04197e6dadfcfb3b6e33ae1bf41e79a"
  validation {
    condition     = length(var.runner_sha256_x64) == 64 && lower(var.runner_sha256_x64) == var.runner_sha256_x64
    error_message = "The runner_sha256_x64 must be 64 lowercase hex digits."
  }
}

variable "runner_sha256_arm64" {
  type        = string
  description = "SHA-256 of the arm64 runner package; the arm64 build fails when the download does not match."
  default     = "9cb43527912086c7c8fb4119cb06409fcbcbd6f93a2d8507f30b07c495620f5c"
  validation {
    condition     = length(var.runner_sha256_arm64) == 64 && lower(var.runner_sha256_arm64) == var.runner_sha256_arm64
    error_message = "The runner_sha256_arm64 must be 64 lowercase hex digits."
  }
}

variable "aws_cli_url" {
  type        = string
  description = "AWS CLI v2 installer zip; empty installs the distribution's awscli package (Debian has one)."
  default     = ""
}

variable "aws_cli_sha256" {
  type        = string
  description = "SHA-256 of aws_cli_url; required with it."
  default     = ""
}
