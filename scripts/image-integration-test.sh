#!/usr/bin/env bash
# Integration test of a new image version, used by the image pipeline (GoldenImage) and
# by CI workflows. Boots a throwaway machine from one artifact, waits until it is
# healthy (--smoke base) or, with the fleet's own boot script as its user data
# (--user-data, from src/fleet/bootstrap: it reads the GitHub App from the secret store,
# registers an ephemeral runner with --disableupdate, runs one job, powers off), until
# the runner is online and, with --workflow, a smoke job ran on it and passed (--smoke
# runner); always tears the machine (and the runner registration) down, whatever
# happened. Exit 0 = passed; otherwise the last line says which check failed
# ("integration test failed: …"), which the pipeline records when it revokes the version.
#
#   image-integration-test.sh --mode aws|gcp|local --smoke base|runner --image ID
#     --region R --bucket B --fingerprint F [options]
#
# aws:    --instance-type T  --subnet-id S  --os linux|windows|macos
#         --host-id H | --host-resource-group-arn A        (macOS dedicated hosts; with
#         --host-id the launch waits until the host is available, i.e. scrubbed)
# gcp:    --project P  --zone Z  --machine-type M  --os linux|windows
# runner: --user-data FILE (the fleet's boot script), --runner-prefix NAME (its runner
#         name prefix and label), --repository OWNER/REPO (or INGOT_TEST_REPOSITORY) or
#         --organization ORG where runners are listed, GITHUB_TOKEN in the environment;
#         --workflow FILE [--ref REF] dispatches a smoke workflow that takes a
#         `runner_label` input and must conclude with success.
# all:    --attempts N (default 60) --interval SECONDS (default 10)
# local:  --image is the image tarball; it is unpacked and "booted" in a chroot (root
#         needed): its systemd units are checked and the user data runs there, in its own
#         PID and mount namespaces; --aws-endpoint URL sends the image's AWS CLI to a
#         local Secrets Manager. Everything is removed again.
set -euo pipefail

die() {
  echo "integration test failed: $*" >&2
  exit 1
}
log() { echo "[integration-test] $*"; }

mode='' smoke='' image='' region='' bucket='' fingerprint=''
instance_type='' subnet_id='' os='linux' host_id='' host_group=''
project='' zone='' machine_type='e2-standard-2'
repository="${INGOT_TEST_REPOSITORY:-}" organization='' workflow='' ref='main'
user_data='' runner_prefix='' aws_endpoint=''
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
    --organization) organization="$2" ;;
    --user-data) user_data="$2" ;;
    --runner-prefix) runner_prefix="$2" ;;
    --aws-endpoint) aws_endpoint="$2" ;;
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
name="${runner_prefix:-$name}"
api="${INGOT_TEST_GITHUB_API:-https://api.github.com}"
if [ "$smoke" = runner ]; then
  [ -n "$user_data" ] || die "--user-data (the fleet's boot script) is required for --smoke runner"
  [ -f "$user_data" ] || die "--user-data $user_data does not exist"
fi

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

runners_path() {
  if [ -n "$organization" ]; then echo "/orgs/$organization/actions/runners"; else echo "/repos/$repository/actions/runners"; fi
}

# The fleet's boot script names its runner <prefix>-<host name>.
runner_online() {
  github GET "$(runners_path)?per_page=100" |
    jq -e --arg name "$name" '.runners[] | select((.name | startswith($name)) and .status == "online")' >/dev/null
}

remove_runner() {
  local id
  for id in $(github GET "$(runners_path)?per_page=100" |
    jq -r --arg name "$name" '.runners[] | select(.name | startswith($name)) | .id'); do
    github DELETE "$(runners_path)/$id" >/dev/null
  done
}

prepare_runner() { # copies the user data (the fleet's boot script) to $1
  command -v jq >/dev/null || die "jq is required to talk to GitHub"
  [ -n "${GITHUB_TOKEN:-}" ] || die "GITHUB_TOKEN is required for --smoke runner"
  if [ -z "$repository" ] && [ -z "$organization" ]; then
    die "--repository OWNER/REPO or --organization ORG is required for --smoke runner"
  fi
  teardown+=("remove_runner")
  cp "$user_data" "$1"
}

smoke_job() {
  [ -n "$workflow" ] || return 0
  [ -n "$repository" ] || die "--workflow needs --repository OWNER/REPO"
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

# Runs the user data in the unpacked image as a first boot would: in its own PID and
# mount namespaces (so everything it starts ends with it), with /proc, /sys and /dev.
boot_local() { # ROOT
  # shellcheck disable=SC2016 # expanded by the inner bash
  unshare --pid --mount --fork --kill-child --propagation private bash -c '
    root="$1"
    mount -t proc proc "$root/proc" && mount -t sysfs sysfs "$root/sys" && mount --rbind /dev "$root/dev" || exit 1
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}" \
      AWS_EC2_METADATA_DISABLED=true /bin/bash /var/lib/ingot/user-data' boot "$1"
}

test_local() {
  [ -f "$image" ] || die "local image $image does not exist"
  local root
  root="$(mktemp -d "${TMPDIR:-/tmp}/ingot-integration-test.XXXXXX")"
  teardown+=("rm -rf '$root'")
  log "launching: unpacking $image"
  tar --numeric-owner -xf "$image" -C "$root" || die "$image is not an image tarball"
  local info="$root/etc/ingot/build-info.json"
  [ -s "$info" ] || die "$image has no etc/ingot/build-info.json"
  grep -q "\"fingerprint\": \"$fingerprint\"" "$info" ||
    die "$image was built for another version than $fingerprint"
  grep -qx 'PasswordAuthentication no' "$root/etc/ssh/sshd_config.d/50-ingot-hardening.conf" ||
    die "$image is not hardened (password SSH logins allowed)"
  local unit
  for unit in prometheus-node-exporter.service auditd.service; do
    # A symlink to an absolute path inside the image: test the link, not its target.
    [ -L "$root/etc/systemd/system/multi-user.target.wants/$unit" ] ||
      die "$image does not start $unit at boot"
  done
  if [ "$(readlink "$root/etc/systemd/system/apt-daily-upgrade.timer" || true)" != /dev/null ]; then
    die "$image runs unattended upgrades (apt-daily-upgrade.timer is not masked)"
  fi
  [ "$smoke" = runner ] || return 0

  [ "$(id -u)" -eq 0 ] || die "--mode local --smoke runner boots the image in a chroot, which needs root"
  install -d "$root/var/lib/ingot"
  prepare_runner "$root/var/lib/ingot/user-data"
  if [ -n "$aws_endpoint" ]; then
    # The image's own AWS CLI, sent to a local endpoint (a missing CLI still fails).
    install -d "$root/usr/local/sbin"
    cat >"$root/usr/local/sbin/aws" <<WRAPPER
#!/bin/bash
PATH=/usr/local/bin:/usr/bin:/bin
command -v aws >/dev/null || { echo "aws: command not found (the image has no AWS CLI)" >&2; exit 127; }
exec aws --endpoint-url '$aws_endpoint' "\$@"
WRAPPER
    chmod 0755 "$root/usr/local/sbin/aws"
  fi
  log "booting $image with the fleet's boot script"
  boot_local "$root" &
  local boot=$!
  teardown+=("kill $boot 2>/dev/null; wait $boot 2>/dev/null || true")
  boot_log() { sed 's/^/  boot: /' "$root/var/log/ingot-runner.log" 2>/dev/null >&2 || true; }
  booting() { kill -0 "$boot" 2>/dev/null; }
  online_or_gone() { runner_online || ! booting; }
  retry_until "runner $name coming online" online_or_gone
  runner_online || {
    boot_log
    die "the boot script ended before runner $name came online"
  }
  log "runner $name is online"
  smoke_job || {
    boot_log
    exit 1
  }
  powered_off() { ! booting; }
  retry_until "the boot script powering off after its job" powered_off
  grep -q 'powering off' "$root/var/log/ingot-runner.log" || {
    boot_log
    die "the boot script did not power the machine off"
  }
}

test_aws() {
  command -v aws >/dev/null || die "the aws CLI is required for --mode aws"
  [ -n "$region" ] || die "--region is required for --mode aws"
  local boot_file instance placement=()
  boot_file="$(mktemp)"
  teardown+=("rm -f '$boot_file'")
  if [ "$smoke" = runner ]; then prepare_runner "$boot_file"; fi
  if [ -n "$host_id" ]; then
    placement=(--placement "Tenancy=host,HostId=$host_id")
    # A Mac host is scrubbed after each instance ("pending"); launching before it is
    # "available" again fails.
    host_available() {
      [ "$(aws ec2 describe-hosts --region "$region" --host-ids "$host_id" \
        --query 'Hosts[0].State' --output text)" = available ]
    }
    retry_until "dedicated host $host_id becoming available (scrubbed)" host_available
  fi
  if [ -n "$host_group" ]; then placement=(--placement "Tenancy=host,HostResourceGroupArn=$host_group"); fi
  log "launching $image in $region"
  instance="$(aws ec2 run-instances --region "$region" --image-id "$image" --count 1 \
    --instance-type "${instance_type:-t3.medium}" ${subnet_id:+--subnet-id "$subnet_id"} \
    "${placement[@]}" --user-data "file://$boot_file" \
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
