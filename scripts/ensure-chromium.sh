#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright's
# own browser downloads cannot be fetched here), installing the package if needed.
set -euo pipefail
# shellcheck source=scripts/lib/apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"
if [ -x /usr/bin/chromium ]; then exit 0; fi
apt_install ensure-chromium chromium
