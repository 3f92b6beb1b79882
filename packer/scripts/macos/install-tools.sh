#!/usr/bin/env bash
# Makes sure the macOS image has what the fleet's boot script calls: the AWS CLI and curl
# (EC2 macOS AMIs ship both, with Homebrew), openssl (macOS's LibreSSL signs the App's
# JWT), and jq, installed with Homebrew when the OS lacks it (macOS 15 ships /usr/bin/jq,
# macOS 14 does not). Homebrew refuses root, so it runs as the AMI's user (SUDO_USER).
set -euo pipefail
brew_user="${SUDO_USER:-ec2-user}"
brew=/opt/homebrew/bin/brew
[ -x "$brew" ] || brew=/usr/local/bin/brew
if ! command -v jq >/dev/null 2>&1; then
  [ -x "$brew" ] || {
    echo "jq is missing and Homebrew is not installed; use an EC2 macOS AMI (they ship Homebrew)" >&2
    exit 1
  }
  sudo -u "$brew_user" -H "$brew" install jq
  ln -sf "$("$brew" --prefix)/bin/jq" /usr/local/bin/jq
fi
for tool in aws curl openssl jq; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "$tool is missing from the image; the fleet's boot script needs it" >&2
    exit 1
  }
done
echo "tools: $(aws --version 2>&1 | cut -d ' ' -f 1), $(jq --version), $(openssl version)"
