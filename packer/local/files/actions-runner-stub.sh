#!/usr/bin/env bash
# Stand-in for the GitHub Actions runner in local images (packer/local). The local
# pipeline installs it exactly as the cloud templates install the real runner: from a
# pinned "download" whose SHA-256 is verified. `--version` prints the version it was
# installed as; `--smoke` runs a tiny job the way the integration test expects.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(cat "$here/.runner-version" 2>/dev/null || echo unknown)"
case "${1:-}" in
  --version)
    echo "$version"
    ;;
  --smoke)
    root="$(cd "$here/../.." && pwd)"
    test -s "$root/etc/ingot/build-info.json" || {
      echo "smoke job failed: no build info" >&2
      exit 1
    }
    test -x "$root/usr/local/bin/git" || {
      echo "smoke job failed: git is not installed" >&2
      exit 1
    }
    "$root/usr/local/bin/git" --version >/dev/null
    echo "runner $version: smoke job passed"
    ;;
  *)
    echo "usage: run.sh --version | --smoke" >&2
    exit 64
    ;;
esac
