#!/usr/bin/env bash
# Reads `packer build -machine-readable` output on stdin, keeps all of it in LOG_FILE and
# prints what a person follows in `pulumi up`: Packer's step lines, errors, artifacts.
# Exits 1, naming every failed build and why, when a build failed, so that nothing is
# published for a run whose manifest lacks builds; the caller's `set -o pipefail` also
# passes on Packer's own exit status.
#
#   packer build -machine-readable ... | packer-log.sh LOG_FILE
set -euo pipefail
log_file="${1:?usage: packer-log.sh LOG_FILE}"
mkdir -p "$(dirname "$log_file")"
: >"$log_file"

# Packer escapes commas as %!(PACKER_COMMA) and newlines as a literal \n.
decode() {
  local text="${1//%!(PACKER_COMMA)/,}"
  printf '%s' "${text//\\n/$'\n'}"
}

# The last "==> build: message" error line of each build (bash 3 compatible: no maps).
detail_names=()
detail_texts=()
remember_detail() {
  local text="$1" name i
  case "$text" in "==> "*": "*) ;; *) return 0 ;; esac
  text="${text#==> }"
  name="${text%%: *}"
  for i in "${!detail_names[@]}"; do
    if [ "${detail_names[$i]}" = "$name" ]; then
      detail_texts[i]="${text#*: }"
      return 0
    fi
  done
  detail_names+=("$name")
  detail_texts+=("${text#*: }")
}
detail_of() {
  local i
  for i in "${!detail_names[@]}"; do
    if [ "${detail_names[$i]}" = "$1" ]; then printf ' (%s)' "${detail_texts[$i]}"; fi
  done
}

failed=()
reasons=()
done_builds=()
while IFS= read -r line || [ -n "$line" ]; do
  printf '%s\n' "$line" >>"$log_file"
  IFS=, read -r _ target type rest <<<"$line" || true
  case "$type" in
    ui)
      kind="${rest%%,*}"
      message="${rest#*,}"
      case "$kind" in
        say) decode "$message" && echo ;;
        error)
          decode "$message" >&2 && echo >&2
          remember_detail "$(decode "$message")"
          ;;
      esac
      ;;
    error)
      if [ -n "$target" ]; then
        failed+=("$target")
        reasons+=("$(decode "$rest")")
      fi
      ;;
    artifact-count)
      done_builds+=("$target")
      ;;
  esac
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "ingot: ${#failed[@]} build(s) failed, so no complete version is published:" >&2
  for i in "${!failed[@]}"; do
    echo "  ${failed[$i]}: ${reasons[$i]}$(detail_of "${failed[$i]}")" >&2
  done
  if [ "${#done_builds[@]}" -gt 0 ]; then
    echo "  (finished but not published: ${done_builds[*]})" >&2
  fi
  echo "  full log: $log_file" >&2
  exit 1
fi
echo "ingot: builds finished: ${done_builds[*]:-none}; full log: $log_file"
