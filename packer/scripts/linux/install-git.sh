#!/usr/bin/env bash
# Installs git and git-lfs from the Ubuntu archive.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q git git-lfs
git lfs install --system --skip-repo
git --version
