#!/usr/bin/env bash
# Integration test of a new image version, used by the image pipeline (GoldenImage) and
# by CI workflows. Launches a throwaway machine from one artifact, waits until it is
# healthy (--smoke base) or until its GitHub Actions runner is online and, with
# --workflow, a smoke job ran on it and passed (--smoke runner); always tears the
# machine (and the runner registration) down, whatever happened. Exit 0 = passed.
#
#   image-integration-test.sh --mode aws|gcp|local --smoke base|runner --image ID
#     --region R --bucket B --fingerprint F [options]
#
# aws:    --instance-type T  --subnet-id S  --os linux|windows|macos
#         --host-id H | --host-resource-group-arn A        (macOS dedicated hosts)
# gcp:    --project P  --zone Z  --machine-type M  --os linux|windows
# runner: --repository OWNER/REPO (or INGOT_TEST_REPOSITORY), GITHUB_TOKEN in the
#         environment; --workflow FILE [--ref REF] dispatches a smoke workflow that
#         takes a `runner_label` input and must conclude with success.
# all:    --attempts N (default 60) --interval SECONDS (default 10)
# local:  --image is the image tarball; it is unpacked, checked, and removed again.
set -euo pipefail

die() {
  echo "integration test failed: $*" >&2
  exit 1
}
log() { echo "[integration-test] $*"; }

mode='' smoke='' image='' region='' bucket='' fingerprint=''
instance_type='' subnet_id='' os='linux' host_id='' host_group=''
project='' zone='' machine_type='e2-standard-2'
repository="${INGOT_TEST_REPOSITORY:-}" workflow='' ref='main'
attempts=60 interval=10
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "option $1 needs a value"
  case "$1" in
    --mode) mode="$2" ;;
    --smoke) smoke="$2" ;;
    --image) image="$2" ;;
    --region) region="$2" ;;
    --bucket) bucket="$2" ;;
    --fingerprint) fingerprint="$2" ;;
    --instance-type) instance_type="$2" ;;
    --subnet-id) subnet_id="$2" ;;
    --os) os="$2" ;;
    --host-id) host_id="$2" ;;
    --host-resource-group-arn) host_group="$2" ;;
    --project) project="$2" ;;
    --zone) zone="$2" ;;
    --machine-type) machine_type="$2" ;;
    --repository) repository="$2" ;;
    --workflow) workflow="$2" ;;
    --ref) ref="$2" ;;
    --attempts) attempts="$2" ;;
    --interval) interval="$2" ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done
[ -n "$image" ] || die "--image is required"
if [ -z "$bucket" ] || [ -z "$fingerprint" ]; then die "--bucket and --fingerprint are required"; fi
case "$smoke" in base | runner) ;; *) die "--smoke must be base or runner, not '$smoke'" ;; esac
name="ingot-test-${bucket}-$(printf '%s' "$fingerprint" | tr -c 'a-z0-9' '-' | cut -c 1-12)"
name="${name%-}"
api="${INGOT_TEST_GITHUB_API:-https://api.github.com}"

# Teardown registry: commands run on exit, in reverse order, each allowed to fail.
teardown=()
on_exit() {
  local status=$? i
  for ((i = ${#teardown[@]} - 1; i >= 0; i--)); do
    log "teardown: ${teardown[$i]}"
    eval "${teardown[$i]}" || echo "[integration-test] teardown step failed: ${teardown[$i]}" >&2
  done
  if [ "$status" -eq 0 ]; then log "passed: $bucket $fingerprint ($image)"; fi
  exit "$status"
}
trap on_exit EXIT

github() { # METHOD PATH [BODY]
  curl -fsS -X "$1" -H "Authorization: Bearer ${GITHUB_TOKEN}" \
    -H 'Accept: application/vnd.github+json' "$api$2" ${3:+--data "$3"}
}

retry_until() { # DESCRIPTION COMMAND...: run COMMAND until it succeeds, at most $attempts times
  local what="$1" n
  shift
  for ((n = 1; n <= attempts; n++)); do
    if "$@"; then return 0; fi
    sleep "$interval"
  done
  die "$what did not happen after $attempts attempts"
}

runner_online() {
  github GET "/repos/$repository/actions/runners?per_page=100" |
    jq -e --arg name "$name" '.runners[] | select(.name == $name and .status == "online")' >/dev/null
}

remove_runner() {
  local id
  id="$(github GET "/repos/$repository/actions/runners?per_page=100" |
    jq -r --arg name "$name" '.runners[] | select(.name == $name) | .id')"
  if [ -n "$id" ]; then github DELETE "/repos/$repository/actions/runners/$id" >/dev/null; fi
}

# The first-boot script that registers an ephemeral runner labelled $name.
runner_bootstrap() { # TOKEN
  local url="https://github.com/$repository"
  if [ "$os" = windows ]; then
    printf '%s\n' "Set-Location C:\\actions-runner" \
      ".\\config.cmd --unattended --ephemeral --url $url --token $1 --name $name --labels $name" \
      'Start-Process -FilePath .\run.cmd'
  else
    printf '%s\n' '#!/bin/bash' 'cd /opt/actions-runner' \
      "sudo -u runner ./config.sh --unattended --ephemeral --url $url --token $1 --name $name --labels $name" \
      'sudo -u runner nohup ./run.sh >/var/log/actions-runner.log 2>&1 &'
  fi
}

prepare_runner() { # writes the first-boot script to $1
  command -v jq >/dev/null || die "jq is required to talk to GitHub"
  [ -n "${GITHUB_TOKEN:-}" ] || die "GITHUB_TOKEN is required for --smoke runner"
  [ -n "$repository" ] || die "--repository OWNER/REPO is required for --smoke runner"
  local token
  token="$(github POST "/repos/$repository/actions/runners/registration-token" | jq -r .token)"
  if [ -z "$token" ] || [ "$token" = null ]; then die "GitHub gave no registration token for $repository"; fi
  teardown+=("remove_runner")
  runner_bootstrap "$token" >"$1"
}

smoke_job() {
  [ -n "$workflow" ] || return 0
  local started run_id conclusion=''
  started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  log "dispatching $workflow on runner label $name"
  github POST "/repos/$repository/actions/workflows/$workflow/dispatches" \
    "{\"ref\":\"$ref\",\"inputs\":{\"runner_label\":\"$name\"}}" >/dev/null
  find_run() {
    run_id="$(github GET "/repos/$repository/actions/workflows/$workflow/runs?event=workflow_dispatch&per_page=10" |
      jq -r --arg since "$started" '[.workflow_runs[] | select(.created_at >= $since)][0].id // empty')"
    [ -n "$run_id" ]
  }
  run_done() {
    conclusion="$(github GET "/repos/$repository/actions/runs/$run_id" |
      jq -r 'select(.status == "completed") | .conclusion')"
    [ -n "$conclusion" ]
  }
  retry_until "a run of $workflow" find_run
  retry_until "the end of run $run_id" run_done
  [ "$conclusion" = success ] || die "smoke workflow run $run_id concluded $conclusion"
  log "smoke job passed (run $run_id)"
}

test_local() {
  [ -f "$image" ] || die "local image $image does not exist"
  local root
  root="$(mktemp -d "${TMPDIR:-/tmp}/ingot-integration-test.XXXXXX")"
  teardown+=("rm -rf '$root'")
  log "launching: unpacking $image"
  tar -xzf "$image" -C "$root" || die "$image is not an image tarball"
  local info="$root/etc/ingot/build-info.json"
  [ -s "$info" ] || die "$image has no etc/ingot/build-info.json"
  grep -q "\"fingerprint\": \"$fingerprint\"" "$info" ||
    die "$image was built for another version than $fingerprint"
  grep -qx 'PasswordAuthentication no' "$root/etc/ssh/sshd_config.d/50-ingot-hardening.conf" ||
    die "$image is not hardened (password SSH logins allowed)"
  [ -f "$root/etc/ingot/monitoring-agent.conf" ] || die "$image has no monitoring agent"
  if [ "$smoke" = runner ]; then
    local out
    out="$("$root/opt/actions-runner/run.sh" --smoke)" || die "the runner's smoke job failed"
    log "$out"
  fi
}

test_aws() {
  command -v aws >/dev/null || die "the aws CLI is required for --mode aws"
  [ -n "$region" ] || die "--region is required for --mode aws"
  local user_data instance placement=()
  user_data="$(mktemp)"
  teardown+=("rm -f '$user_data'")
  if [ "$smoke" = runner ]; then prepare_runner "$user_data"; fi
  if [ -n "$host_id" ]; then placement=(--placement "Tenancy=host,HostId=$host_id"); fi
  if [ -n "$host_group" ]; then placement=(--placement "Tenancy=host,HostResourceGroupArn=$host_group"); fi
  log "launching $image in $region"
  instance="$(aws ec2 run-instances --region "$region" --image-id "$image" --count 1 \
    --instance-type "${instance_type:-t3.medium}" ${subnet_id:+--subnet-id "$subnet_id"} \
    "${placement[@]}" --user-data "file://$user_data" \
    --metadata-options HttpTokens=required --instance-initiated-shutdown-behavior terminate \
    --tag-specifications "ResourceType=instance,Tags=[{Key=Name,Value=$name},{Key=ingot:integration-test,Value=$fingerprint}]" \
    --query 'Instances[0].InstanceId' --output text)" || die "could not launch $image"
  teardown+=("aws ec2 terminate-instances --region '$region' --instance-ids '$instance' >/dev/null")
  log "instance $instance; waiting for its status checks"
  status_ok() {
    [ "$(aws ec2 describe-instance-status --region "$region" --instance-ids "$instance" \
      --query 'InstanceStatuses[0].InstanceStatus.Status' --output text)" = ok ]
  }
  retry_until "instance $instance passing its status checks" status_ok
  if [ "$smoke" = runner ]; then
    retry_until "runner $name coming online" runner_online
    log "runner $name is online"
    smoke_job
  fi
}

test_gcp() {
  command -v gcloud >/dev/null || die "gcloud is required for --mode gcp"
  if [ -z "$project" ] || [ -z "$zone" ]; then die "--project and --zone are required for --mode gcp"; fi
  local startup key=startup-script metadata=()
  startup="$(mktemp)"
  teardown+=("rm -f '$startup'")
  if [ "$os" = windows ]; then key=windows-startup-script-ps1; fi
  if [ "$smoke" = runner ]; then
    prepare_runner "$startup"
    metadata=(--metadata-from-file "$key=$startup")
  fi
  log "launching $image in $zone"
  gcloud compute instances create "$name" --project "$project" --zone "$zone" \
    --image "$image" --machine-type "$machine_type" "${metadata[@]}" \
    --labels "ingot-integration-test=true" --quiet >/dev/null || die "could not launch $image"
  teardown+=("gcloud compute instances delete '$name' --project '$project' --zone '$zone' --quiet >/dev/null")
  booted() {
    gcloud compute instances get-serial-port-output "$name" --project "$project" --zone "$zone" 2>/dev/null |
      grep -Eq 'Cloud-init v\. .* finished|GCEGuestAgent: .*Startup finished|Finished running startup scripts'
  }
  retry_until "instance $name finishing its boot" booted
  if [ "$smoke" = runner ]; then
    retry_until "runner $name coming online" runner_online
    log "runner $name is online"
    smoke_job
  fi
}

case "$mode" in
  local) test_local ;;
  aws) test_aws ;;
  gcp) test_gcp ;;
  *) die "--mode must be aws, gcp or local, not '$mode'" ;;
esac
