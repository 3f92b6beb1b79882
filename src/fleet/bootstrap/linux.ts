import { RUNNER_DIRS, type BootstrapSpec } from './bootstrap-spec';
import { bashJitFunctions } from './jit';
import { bashRegistrationFunctions, bashSettings } from './shell';

/** Registers one ephemeral runner with the App in the secret store, then runs it. */
function registerAndRun(spec: BootstrapSpec): string {
  return `${bashRegistrationFunctions(spec)}

configure_runner "$RUNNER_USER" "$RUNNER_PREFIX-$(hostname -s)"
(cd "$RUNNER_DIR" && as_user "$RUNNER_USER" ./run.sh) || echo "ingot-runner: run.sh exited with $?"
`;
}

/** Runs the runner with the scaler's single-use JIT configuration (an argument, never a file). */
function jitRun(spec: BootstrapSpec): string {
  return `${bashJitFunctions(spec)}

JIT_CONFIG=$(jit_config)
(cd "$RUNNER_DIR" && as_user "$RUNNER_USER" ./run.sh --jitconfig "$JIT_CONFIG") || echo "ingot-runner: run.sh exited with $?"
`;
}

/**
 * The Ubuntu boot script (EC2 user data / GCE `startup-script`): registers one
 * ephemeral runner, runs one job, then powers the machine off. On AWS the launch
 * template makes an instance-initiated shutdown terminate the instance and the Auto
 * Scaling group starts a fresh one; on GCP the managed instance group recreates it. A
 * failed registration powers off too, so a broken image never idles. With the scaler
 * (`spec.jit`) the runner does not register itself: `run.sh --jitconfig` runs the
 * single-use configuration the scaler made for this instance (one runner, one job).
 */
export function linuxBootstrap(spec: BootstrapSpec): string {
  return `#!/bin/bash
# Ingot runner bootstrap: one ephemeral GitHub Actions runner, one job, then power off.
set -euo pipefail
exec >>"\${INGOT_RUNNER_LOG:-/var/log/ingot-runner.log}" 2>&1
trap 'status=$?; echo "ingot-runner: finished (exit $status), powering off"; shutdown -h now' EXIT

${bashSettings(spec, RUNNER_DIRS.ubuntu)}
RUNNER_USER=runner

as_user() { local user=$1; shift; sudo -u "$user" -- "$@"; }

${spec.jit ? jitRun(spec) : registerAndRun(spec)}`;
}
