#!/usr/bin/env bash
# Installs git through the Command Line Tools that EC2 macOS AMIs ship (Apple-signed),
# and makes sure the runner user can use it.
set -euo pipefail
if ! xcode-select -p >/dev/null 2>&1; then
  echo "the Command Line Tools are missing from the source AMI; use an EC2 macOS AMI" >&2
  exit 1
fi
git --version
