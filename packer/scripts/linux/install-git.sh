#!/usr/bin/env bash
# Installs git and git-lfs from the distribution archive (Ubuntu or Debian). The
# parent image has no package lists (its cleanup removed them), so they are fetched first.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q git git-lfs
git lfs install --system --skip-repo
git --version
