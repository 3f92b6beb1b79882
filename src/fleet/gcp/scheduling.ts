/**
 * Scheduling of a GCP runner VM: what host maintenance does to it, and Spot.
 *
 * Live migration is not available on every machine series (Google's "Live migration
 * process during maintenance events" lists the exceptions): Arm T2A, H3, and the
 * accelerator-optimized A2/A3/A4/G2 series must be set to TERMINATE, or the API refuses
 * the template. Spot VMs (`provisioningModel: SPOT`) require TERMINATE and no automatic
 * restart.
 */
const NO_LIVE_MIGRATION = ['t2a', 'h3', 'a2', 'a3', 'a4', 'g2'];

/** The series of a machine type: `t2a-standard-4` → `t2a`. */
export function machineSeries(machineType: string): string {
  return machineType.split('-')[0].toLowerCase();
}

/** Whether Google can live-migrate VMs of this machine type during host maintenance. */
export function liveMigrates(machineType: string): boolean {
  return !NO_LIVE_MIGRATION.includes(machineSeries(machineType));
}

export interface RunnerScheduling {
  onHostMaintenance: 'MIGRATE' | 'TERMINATE';
  automaticRestart: boolean;
  provisioningModel?: 'SPOT';
  preemptible?: boolean;
  instanceTerminationAction?: 'DELETE';
}

/**
 * On-demand VMs migrate where the series allows it and restart after a host failure.
 * Spot VMs are deleted when preempted: the group then creates a fresh VM from the
 * template, which registers a new ephemeral runner. STOP would leave a stopped VM whose
 * runner already registered once — restarted by the group, it could not register again
 * (ephemeral registrations are spent) and would hold its disk meanwhile.
 */
export function runnerScheduling(machineType: string, spot: boolean): RunnerScheduling {
  if (spot)
    return {
      provisioningModel: 'SPOT',
      preemptible: true,
      onHostMaintenance: 'TERMINATE',
      automaticRestart: false,
      instanceTerminationAction: 'DELETE',
    };
  return liveMigrates(machineType)
    ? { onHostMaintenance: 'MIGRATE', automaticRestart: true }
    : { onHostMaintenance: 'TERMINATE', automaticRestart: true };
}
