#!/usr/bin/env bash
# Installs the AWS CLI, which the fleet's boot script calls (`aws secretsmanager
# get-secret-value`) on AWS. With AWS_CLI_URL: the AWS CLI v2 installer zip, refused
# unless its SHA-256 is AWS_CLI_SHA256, installed with its own ./aws/install (as
# terraform-aws-github-runner's images do). Without: the distribution's package
# (Debian's awscli, signed by the archive key), or on Ubuntu 24.04, which has none, the
# aws-cli snap (signed by the Snap Store). Fails, saying what to set, when none applies.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ -n "${AWS_CLI_URL:-}" ]; then
  : "${AWS_CLI_SHA256:?AWS_CLI_SHA256 is required with AWS_CLI_URL (the SHA-256 of that zip)}"
  apt-get update -q
  apt-get install -y -q unzip
  download="$(mktemp -d)"
  trap 'rm -rf "$download"' EXIT
  curl -fsSL --retry 5 --retry-connrefused -o "$download/awscliv2.zip" "$AWS_CLI_URL"
  actual="$(sha256sum "$download/awscliv2.zip" | cut -d ' ' -f 1)"
  if [ "$actual" != "$AWS_CLI_SHA256" ]; then
    echo "checksum mismatch for $AWS_CLI_URL: expected $AWS_CLI_SHA256, got $actual; refusing to install" >&2
    exit 1
  fi
  unzip -q "$download/awscliv2.zip" -d "$download"
  "$download/aws/install" --update --install-dir /usr/local/aws-cli --bin-dir /usr/local/bin
else
  apt-get update -q
  if apt-cache show awscli >/dev/null 2>&1; then
    apt-get install -y -q --no-install-recommends awscli
  elif command -v snap >/dev/null 2>&1; then
    snap install aws-cli --classic
  else
    echo "this distribution has no awscli package and no snapd; set aws_cli_url and aws_cli_sha256 (the AWS CLI v2 installer zip and its SHA-256)" >&2
    exit 1
  fi
fi
aws --version
