import { OAuth2Client } from 'google-auth-library';
import type { CloudBackend, GroupInstance, GroupState } from './cloud-backend';
import { ScalerError } from './errors';
import type { ComputeClient, ManagedInstance } from './gcp-compute';
import type { ScalerTarget } from './scaler-config';

/** Google's signing certificates by key id (PEM), as `getFederatedSignonCertsAsync` returns them. */
export type CertSource = () => Promise<Record<string, string>>;

const ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/** How a managed instance's current action reads for the scaler. */
export function managedState(instance: ManagedInstance): GroupInstance['state'] {
  if (/^(DELETING|ABANDONING)$/.test(instance.currentAction)) return 'terminating';
  if (
    /^(CREATING|CREATING_WITHOUT_RETRIES|VERIFYING|RECREATING)$/.test(instance.currentAction) ||
    !instance.id
  )
    return 'pending';
  return 'running';
}

/**
 * GCP regional managed instance groups. The group grows with `resize` and shrinks only
 * through `deleteInstances` of instances the scaler chose (which lowers the target size).
 * A new VM fetches its JIT configuration from the scaler (`POST /jit`) with its instance
 * identity token (metadata server, `identity?audience=<scaler URL>&format=full`): the
 * scaler checks Google's signature, the audience, that the token's service account is
 * the pool's runner account and that the VM (`google.compute_engine.instance_id`) is a
 * member of the pool's group. Instances are known by their numeric id, which a
 * recreated VM of the same name does not share.
 */
export class GcpBackend implements CloudBackend {
  readonly cloud = 'gcp' as const;
  private readonly verifier = new OAuth2Client();

  constructor(
    private readonly compute: ComputeClient,
    private readonly options: { audience: string; certs?: CertSource },
  ) {}

  private certs(): Promise<Record<string, string>> {
    if (this.options.certs) return this.options.certs();
    return this.verifier
      .getFederatedSignonCertsAsync()
      .then((r) => r.certs as Record<string, string>);
  }

  async describe(target: ScalerTarget): Promise<GroupState> {
    const project = target.project as string;
    const [desired, managed] = await Promise.all([
      this.compute.getTargetSize(project, target.region, target.group),
      this.compute.listManagedInstances(project, target.region, target.group),
    ]);
    return {
      desired,
      instances: managed
        .filter((m) => m.id)
        .map((m) => ({ id: m.id as string, state: managedState(m) })),
    };
  }

  async setDesired(target: ScalerTarget, desired: number): Promise<void> {
    await this.compute.resize(target.project as string, target.region, target.group, desired);
  }

  async terminate(target: ScalerTarget, instanceId: string): Promise<void> {
    const project = target.project as string;
    const managed = await this.compute.listManagedInstances(project, target.region, target.group);
    const instance = managed.find((m) => m.id === instanceId);
    if (!instance || managedState(instance) === 'terminating') return;
    await this.compute.deleteInstances(project, target.region, target.group, [instance.instance]);
  }

  async authenticateInstance(credential: string, targets: readonly ScalerTarget[]) {
    let payload;
    try {
      const ticket = await this.verifier.verifySignedJwtWithCertsAsync(
        credential,
        await this.certs(),
        this.options.audience,
        ISSUERS,
      );
      payload = ticket.getPayload();
    } catch (error) {
      throw new ScalerError(
        'UNAUTHENTICATED_INSTANCE',
        `the identity token was refused: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    const vm = (payload as { google?: { compute_engine?: Record<string, string> } } | undefined)
      ?.google?.compute_engine;
    if (!payload?.email || !payload.email_verified || !vm?.instance_id || !vm.zone)
      throw new ScalerError(
        'UNAUTHENTICATED_INSTANCE',
        'the identity token lacks the instance claims; request it with format=full.',
      );
    const region = vm.zone.replace(/-[a-z]$/, '');
    const target = targets.find(
      (t) =>
        t.project === vm.project_id && t.region === region && t.serviceAccount === payload.email,
    );
    const members = target
      ? await this.compute.listManagedInstances(target.project as string, region, target.group)
      : [];
    if (!target || !members.some((m) => m.id === String(vm.instance_id)))
      throw new ScalerError(
        'UNKNOWN_INSTANCE',
        `instance ${vm.instance_name} (${vm.project_id}, ${vm.zone}) is not a runner of any pool this scaler serves.`,
      );
    return { target, instanceId: String(vm.instance_id) };
  }
}
