/** What the control loop knows about one target at one moment. */
export interface PlanInput {
  min: number;
  max: number;
  /** Idle runners wanted now (the warm schedule applied). */
  idle: number;
  /** Jobs queued for the target and not yet picked up. */
  queued: number;
  /** The group's current size. */
  desired: number;
  /** Instances running a job: never removed. */
  busy: number;
  /** Instances whose job is over, or whose runner GitHub no longer knows: removed. */
  done: string[];
  /** Instances whose runner never came online within the boot timeout: removed. */
  stuck: string[];
  /** Idle instances (runner online or configured, no job) idle longer than the idle timeout, oldest first. */
  idleExpired: string[];
}

export interface Plan {
  /** Instances to remove, each lowering the group's size by one. */
  remove: { id: string; reason: 'done' | 'reap' | 'surplus' }[];
  /** The size to set after the removals, if it must grow. */
  growTo?: number;
  /** The size the target should have: busy + queued + idle, within min and max. */
  want: number;
}

/**
 * The control loop's decision for one target, a pure function of its state (so repeated
 * and concurrent passes agree, and duplicate or reordered deliveries cannot change it):
 * finished and stuck instances go; the group grows to `busy + queued + idle` (within
 * `min`/`max`); beyond that, only instances idle longer than the idle timeout are removed,
 * never a busy one. The group's size is only ever lowered by removing a chosen
 * instance, so the cloud never picks a busy runner to scale in.
 */
export function planTarget(input: PlanInput): Plan {
  const remove: Plan['remove'] = [
    ...input.done.map((id) => ({ id, reason: 'done' as const })),
    ...input.stuck.map((id) => ({ id, reason: 'reap' as const })),
  ];
  const want = Math.min(input.max, Math.max(input.min, input.busy + input.queued + input.idle));
  let size = Math.max(0, input.desired - remove.length);
  for (const id of input.idleExpired) {
    if (size <= want) break;
    remove.push({ id, reason: 'surplus' });
    size--;
  }
  return { remove, want, growTo: size < want ? want : undefined };
}
