#!/usr/bin/env bash
# Sourced by scripts/ensure-*.sh: installs Debian packages with apt-get, as root or
# through sudo, keeping apt's chatter in a log that is printed only when it fails.

# apt_install <who> <package>... — <who> names the calling script in every message.
apt_install() {
  local who="$1"
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: $* missing and apt-get is not available; install them yourself and rerun." >&2
    return 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "$who: $* missing; installing them needs root (apt-get install $*)." >&2
      return 1
    fi
    sudo=(sudo)
  fi
  echo "$who: installing $* (Debian packages)…" >&2
  local log
  log="$(mktemp)"
  if ! {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$who: apt-get could not install $*." >&2
    return 1
  fi
  rm -f "$log"
}
