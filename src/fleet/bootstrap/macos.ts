import { RUNNER_DIRS, type BootstrapSpec } from './bootstrap-spec';
import { hostJitFunctions } from './host-jit';
import { shQuote } from './quote';
import { bashRegistrationFunctions, bashSettings } from './shell';

/** Self-registration: the loop mints its runners with the App key from the secret store. */
function registerLoop(spec: BootstrapSpec): string {
  return `${bashRegistrationFunctions(spec)}

while true; do
  if configure_runner "$RUNNER_USER" "$RUNNER_PREFIX-$(hostname -s)-$(date +%s)"; then
    (cd "$RUNNER_DIR" && as_user "$RUNNER_USER" ./run.sh) || echo "ingot-runner: run.sh exited with $?"
  else
    echo "ingot-runner: registration failed; retrying in 60 s"
    sleep 60
  fi
  rm -rf "$RUNNER_DIR/_work"
done
`;
}

/**
 * With the scaler: each runner's single-use JIT configuration comes from the scaler
 * (`jit_config`). After each job every process of the runner user is ended before the
 * next configuration is asked for, so nothing a job left behind sees it.
 */
function jitLoop(spec: BootstrapSpec): string {
  return `${hostJitFunctions(spec)}

while true; do
  if JIT_CONFIG=$(jit_config); then
    (cd "$RUNNER_DIR" && as_user "$RUNNER_USER" ./run.sh --jitconfig "$JIT_CONFIG") || echo "ingot-runner: run.sh exited with $?"
  fi
  JIT_CONFIG=
  pkill -KILL -u "$RUNNER_USER" || true
  rm -rf "$RUNNER_DIR/_work"
done
`;
}

/**
 * The macOS user data (run once by ec2-macos-init). A Mac instance holds a dedicated
 * host, so it is not thrown away after a job: the script installs a launchd daemon that
 * gets an ephemeral runner (a JIT configuration from the scaler with `spec.hostJit`,
 * else a registration with the App key), runs one job, wipes the work directory and
 * starts over, for as long as the instance lives.
 */
export function macosBootstrap(spec: BootstrapSpec): string {
  const loop = `#!/bin/bash
set -uo pipefail
${bashSettings(spec, RUNNER_DIRS.macos)}
RUNNER_USER=runner

as_user() { local user=$1; shift; sudo -u "$user" -- "$@"; }

${spec.hostJit ? jitLoop(spec) : registerLoop(spec)}`;
  return `#!/bin/bash
# Ingot runner bootstrap (macOS): installs a launchd daemon that serves one ephemeral
# runner after another on this host.
set -euo pipefail
mkdir -p /usr/local/ingot
cat >/usr/local/ingot/runner-loop.sh <<'INGOT_RUNNER_LOOP'
${loop}INGOT_RUNNER_LOOP
chmod 700 /usr/local/ingot/runner-loop.sh
cat >/Library/LaunchDaemons/dev.ingot.runner.plist <<'INGOT_PLIST'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.ingot.runner</string>
  <key>ProgramArguments</key><array><string>/usr/local/ingot/runner-loop.sh</string></array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
  <key>StandardOutPath</key><string>/var/log/ingot-runner.log</string>
  <key>StandardErrorPath</key><string>/var/log/ingot-runner.log</string>
</dict>
</plist>
INGOT_PLIST
launchctl bootstrap system /Library/LaunchDaemons/dev.ingot.runner.plist
echo ${shQuote(`ingot-runner: daemon installed for ${spec.labels.join(',')}`)}
`;
}
