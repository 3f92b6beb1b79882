import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local EC2 for the Mac rollout tests: dedicated hosts, instances on them and root
 * volume replacement tasks, with the behaviour AWS documents for Mac hosts —
 * stopping or terminating a Mac instance starts a scrubbing workflow during which the
 * host is `pending` and no instance can launch or start on it (up to hours on Apple
 * silicon; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/mac-instance-stop.html),
 * and a host holds one Mac instance
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-mac-instances.html).
 *
 * The provider under test reaches it with the real AWS SDK, which speaks the EC2 Query
 * protocol (form-encoded `Action=…&Version=2016-11-15`, XML answers, errors as
 * `<Response><Errors><Error><Code>`) to `AWS_ENDPOINT_URL_EC2`. The harness plays the
 * Pulumi AWS provider through the in-process methods (allocate, run, terminate, stop,
 * start), which refuse what EC2 refuses. Scrubbing ends only when a test says so: the
 * tests never depend on time.
 */
export type TaskState =
  | 'pending'
  | 'in-progress'
  | 'failing'
  | 'failed'
  | 'succeeded'
  | 'failing-detached'
  | 'failed-detached';

export interface Host {
  id: string;
  instanceType: string;
  zone: string;
  /** `available`, or `pending` while the host scrubs. */
  state: 'available' | 'pending';
}

export interface Instance {
  id: string;
  hostId: string;
  instanceType: string;
  /** The AMI the instance was launched with. */
  imageId: string;
  /** The AMI its current root volume was made from. */
  rootImageId: string;
  rootVolumeId: string;
  userData: string;
  state: 'running' | 'stopped' | 'terminated';
}

export interface RootVolumeTask {
  id: string;
  instanceId: string;
  imageId: string;
  state: TaskState;
  clientToken: string;
  deleteReplacedRootVolume: boolean;
  startTime: string;
  completeTime?: string;
}

/** Everything that happened, in order: what the tests assert on. */
export interface Ec2Event {
  action: 'allocate' | 'run' | 'terminate' | 'stop' | 'start' | 'replace-root' | 'refused';
  target: string;
  detail?: string;
}

export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const STATE_CODES = { pending: 0, running: 16, stopped: 80, terminated: 48 };

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export class Ec2Double {
  readonly hosts = new Map<string, Host>();
  readonly instances = new Map<string, Instance>();
  readonly tasks: RootVolumeTask[] = [];
  readonly events: Ec2Event[] = [];
  /** AMI id → architecture; an AMI not listed here does not exist. */
  readonly images = new Map<string, 'arm64' | 'x86_64'>();
  /** How the next replacement tasks end: `stuck` stays `in-progress` forever. */
  taskOutcome: 'succeeded' | 'failed' | 'stuck' = 'succeeded';
  /** Query API requests by action (the SDK's calls). */
  readonly calls: string[] = [];
  private server?: http.Server;
  private seq = 0;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private id(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq.toString(16).padStart(17, '0')}`;
  }

  // ---- what the Pulumi AWS provider does (in process) ----

  allocateHost(instanceType: string, zone: string): Host {
    const host: Host = { id: this.id('h'), instanceType, zone, state: 'available' };
    this.hosts.set(host.id, host);
    this.events.push({ action: 'allocate', target: host.id });
    return host;
  }

  runInstance(fields: {
    hostId: string;
    imageId: string;
    instanceType: string;
    userData: string;
  }): Instance {
    const host = this.hosts.get(fields.hostId);
    if (!host) throw new Ec2Error('InvalidHostID.NotFound', `host ${fields.hostId} not found`);
    const busy = [...this.instances.values()].find(
      (i) => i.hostId === host.id && i.state !== 'terminated',
    );
    const refuse = (code: string, message: string) => {
      this.events.push({ action: 'refused', target: host.id, detail: `run: ${message}` });
      throw new Ec2Error(code, message);
    };
    if (host.state === 'pending')
      refuse(
        'InsufficientHostCapacity',
        `host ${host.id} is pending (scrubbing after its last Mac instance stopped or terminated); launch when it is available`,
      );
    if (busy) refuse('InsufficientHostCapacity', `host ${host.id} already runs ${busy.id}`);
    if (fields.instanceType !== host.instanceType)
      refuse('InvalidParameterCombination', `host ${host.id} is for ${host.instanceType}`);
    const instance: Instance = {
      id: this.id('i'),
      ...fields,
      rootImageId: fields.imageId,
      rootVolumeId: this.id('vol'),
      state: 'running',
    };
    this.instances.set(instance.id, instance);
    this.events.push({ action: 'run', target: instance.id, detail: host.id });
    return instance;
  }

  terminateInstance(id: string): void {
    const instance = this.mustFind(id);
    instance.state = 'terminated';
    this.scrub(instance.hostId);
    this.events.push({ action: 'terminate', target: id });
  }

  stopInstance(id: string): void {
    const instance = this.mustFind(id);
    instance.state = 'stopped';
    this.scrub(instance.hostId);
    this.events.push({ action: 'stop', target: id });
  }

  startInstance(id: string): void {
    const instance = this.mustFind(id);
    const host = this.hosts.get(instance.hostId) as Host;
    if (host.state === 'pending') {
      this.events.push({ action: 'refused', target: host.id, detail: `start ${id}: scrubbing` });
      throw new Ec2Error(
        'IncorrectInstanceState',
        `instance ${id} cannot start while host ${host.id} is pending (scrubbing)`,
      );
    }
    instance.state = 'running';
    this.events.push({ action: 'start', target: id });
  }

  /** Ends the scrubbing workflow of a host (the tests decide when). */
  finishScrubbing(hostId: string): void {
    (this.hosts.get(hostId) as Host).state = 'available';
  }

  private scrub(hostId: string): void {
    (this.hosts.get(hostId) as Host).state = 'pending';
  }

  private mustFind(id: string): Instance {
    const instance = this.instances.get(id);
    if (!instance) throw new Ec2Error('InvalidInstanceID.NotFound', `instance ${id} not found`);
    return instance;
  }

  // ---- the Query API the provider calls through the AWS SDK ----

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = params.get('Action') ?? '';
      this.calls.push(action);
      let status = 200;
      let body: string;
      try {
        if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
          throw new Ec2Error('AuthFailure', 'request not signed with Signature Version 4');
        body = `<${action}Response xmlns="${XMLNS}"><requestId>${this.id('req')}</requestId>${this.answer(action, params)}</${action}Response>`;
      } catch (error) {
        const e = error instanceof Ec2Error ? error : new Ec2Error('InternalError', String(error));
        status = e.code === 'InternalError' ? 500 : 400;
        body = `<Response><Errors><Error><Code>${e.code}</Code><Message>${escape(e.message)}</Message></Error></Errors><RequestID>${this.id('req')}</RequestID></Response>`;
      }
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(body);
    });
  }

  private answer(action: string, params: URLSearchParams): string {
    const list = (prefix: string) =>
      [...params.entries()].filter(([k]) => k.startsWith(`${prefix}.`)).map(([, v]) => v);
    switch (action) {
      case 'DescribeInstances':
        return `<reservationSet>${list('InstanceId')
          .map((id) => this.mustFind(id))
          .map(
            (i) =>
              `<item><reservationId>r-${i.id.slice(2)}</reservationId><instancesSet><item><instanceId>${i.id}</instanceId><imageId>${i.imageId}</imageId><instanceState><code>${STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState><instanceType>${i.instanceType}</instanceType><placement><hostId>${i.hostId}</hostId><tenancy>host</tenancy></placement><rootDeviceName>/dev/sda1</rootDeviceName><blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><volumeId>${i.rootVolumeId}</volumeId><status>attached</status></ebs></item></blockDeviceMapping></item></instancesSet></item>`,
          )
          .join('')}</reservationSet>`;
      case 'CreateReplaceRootVolumeTask':
        return `<replaceRootVolumeTask>${this.taskXml(this.createTask(params))}</replaceRootVolumeTask>`;
      case 'DescribeReplaceRootVolumeTasks': {
        const ids = list('ReplaceRootVolumeTaskId');
        const instanceFilter =
          params.get('Filter.1.Name') === 'instance-id' ? list('Filter.1.Value') : [];
        const tasks = this.tasks.filter(
          (t) =>
            (ids.length === 0 || ids.includes(t.id)) &&
            (instanceFilter.length === 0 || instanceFilter.includes(t.instanceId)),
        );
        for (const t of tasks) this.advance(t);
        return `<replaceRootVolumeTaskSet>${tasks.map((t) => `<item>${this.taskXml(t)}</item>`).join('')}</replaceRootVolumeTaskSet>`;
      }
      default:
        throw new Ec2Error(
          'InvalidAction',
          `The action ${action} is not valid for this web service.`,
        );
    }
  }

  private createTask(params: URLSearchParams): RootVolumeTask {
    const instanceId = params.get('InstanceId') ?? '';
    const imageId = params.get('ImageId') ?? '';
    const clientToken = params.get('ClientToken') ?? this.id('token');
    // Idempotency: the same client token answers the task it created.
    const same = this.tasks.find((t) => t.clientToken === clientToken);
    if (same) return same;
    const instance = this.mustFind(instanceId);
    if (instance.state !== 'running')
      throw new Ec2Error(
        'IncorrectInstanceState',
        `The instance '${instanceId}' is not in a state from which it can have its root volume replaced.`,
      );
    const arch = this.images.get(imageId);
    if (!arch)
      throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    if ((arch === 'arm64') !== (instance.instanceType !== 'mac1.metal'))
      throw new Ec2Error(
        'InvalidParameterCombination',
        `The architecture of image ${imageId} does not match instance ${instanceId}.`,
      );
    const task: RootVolumeTask = {
      id: this.id('replacevol'),
      instanceId,
      imageId,
      state: 'pending',
      clientToken,
      deleteReplacedRootVolume: params.get('DeleteReplacedRootVolume') === 'true',
      startTime: new Date().toISOString(),
    };
    this.tasks.push(task);
    this.events.push({ action: 'replace-root', target: instanceId, detail: imageId });
    return task;
  }

  /** Each look at a task moves it one state on: pending → in-progress → its outcome. */
  private advance(task: RootVolumeTask): void {
    if (task.state === 'pending') task.state = 'in-progress';
    else if (task.state === 'in-progress' && this.taskOutcome !== 'stuck') {
      task.state = this.taskOutcome;
      task.completeTime = new Date().toISOString();
      if (task.state === 'succeeded') {
        const instance = this.mustFind(task.instanceId);
        instance.rootImageId = task.imageId;
        instance.rootVolumeId = this.id('vol');
      }
    }
  }

  private taskXml(t: RootVolumeTask): string {
    return `<replaceRootVolumeTaskId>${t.id}</replaceRootVolumeTaskId><instanceId>${t.instanceId}</instanceId><taskState>${t.state}</taskState><startTime>${t.startTime}</startTime>${t.completeTime ? `<completeTime>${t.completeTime}</completeTime>` : ''}<imageId>${t.imageId}</imageId><deleteReplacedRootVolume>${t.deleteReplacedRootVolume}</deleteReplacedRootVolume>`;
  }
}
