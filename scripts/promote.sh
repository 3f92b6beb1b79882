#!/usr/bin/env bash
# Promotes every bucket from one channel to another when the source has held a valid
# version long enough: the hourly staging → prod job, and a manual one-bucket dispatch.
#
#   scripts/promote.sh --from staging --to prod --soak 24h [--soak-consumer PROJECT/STACK]
#                      [--bucket B]... [--reason TEXT] [--dry-run]
#
# --soak-consumer counts the soak from when that stack (the staging fleet) first ran the
# version; --dry-run changes nothing and writes the buckets that are due as `promoted=`.
# A held target channel is reported (who holds it and why) and skipped: not a failure.
#
# Registry connection from the environment (INGOT_REGISTRY_URL, HCP_CLIENT_ID,
# HCP_CLIENT_SECRET, HCP_ORGANIZATION_ID, HCP_PROJECT_ID). Buckets default to every
# bucket in the project. Prints one line per bucket; writes `promoted=<buckets>` to
# $GITHUB_OUTPUT when set. Exit 0 when every bucket was promoted or not due yet.
set -euo pipefail

# INGOT overrides how the CLI is run (tests run it from source). Not `npx ingot`: npm
# packs and rebuilds this package on every npx of its own bin.
read -r -a ingot <<<"${INGOT:-node $(dirname "$0")/../bin/ingot.js}"
from="" to="" soak="" reason="" consumer="" dry_run=""
buckets=()

usage() {
  echo "usage: $0 --from CHANNEL --to CHANNEL [--soak DURATION] [--soak-consumer PROJECT/STACK] [--bucket NAME]... [--reason TEXT] [--dry-run]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="${2:-}"; shift 2 ;;
    --to) to="${2:-}"; shift 2 ;;
    --soak) soak="${2:-}"; shift 2 ;;
    --bucket) buckets+=("${2:-}"); shift 2 ;;
    --reason) reason="${2:-}"; shift 2 ;;
    --soak-consumer) consumer="${2:-}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    *) usage ;;
  esac
done
if [ -z "$from" ] || [ -z "$to" ]; then usage; fi

if [ ${#buckets[@]} -eq 0 ]; then
  mapfile -t buckets < <("${ingot[@]}" buckets ls --json | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      for (const b of JSON.parse(s).buckets) console.log(b.name);
    });')
fi

promoted=()
failed=0
for bucket in "${buckets[@]}"; do
  args=(channels promote "$bucket" --from "$from" --to "$to")
  [ -n "$soak" ] && args+=(--soak "$soak")
  [ -n "$consumer" ] && args+=(--soak-consumer "$consumer")
  [ -n "$dry_run" ] && args+=(--dry-run)
  set +e
  output="$("${ingot[@]}" "${args[@]}" 2>&1)"
  status=$?
  set -e
  case "$status" in
    0)
      echo "$bucket: $output${reason:+ (reason: $reason)}"
      case "$output" in Promoted* | "Would promote"*) promoted+=("$bucket") ;; esac
      ;;
    3) echo "$bucket: not due: ${output#ingot: }" ;;
    5) echo "$bucket: HELD: ${output#ingot: }" ;;
    *)
      echo "$bucket: FAILED: ${output#ingot: }" >&2
      failed=1
      ;;
  esac
done

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "promoted=${promoted[*]}" >>"$GITHUB_OUTPUT"
fi
exit "$failed"
