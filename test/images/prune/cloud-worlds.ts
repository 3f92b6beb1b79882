import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsImageStore } from '../../../src/images/prune/aws-image-store';
import {
  GcpImageStore,
  type ComputeImages,
  type ComputeOperations,
} from '../../../src/images/prune/gcp-image-store';
import type { ImageStoreWorld } from './image-store-contract';

/**
 * AwsImageStore against aws-sdk-client-mock (AWS is not reachable here): one mocked
 * EC2Client per region holding AMIs and their snapshots, answering DescribeImages,
 * DeregisterImage and DeleteSnapshot as EC2 does, including the errors EC2 returns for
 * an unknown AMI (InvalidAMIID.NotFound) and for a denied call (UnauthorizedOperation,
 * "You are not authorized to perform this operation.").
 */
export function awsWorld(): ImageStoreWorld & { calls: string[] } {
  const images = new Map<string, { region: string; snapshots: string[] }>();
  const snapshots = new Set<string>();
  const denied = new Set<string>();
  const calls: string[] = [];
  let next = 0;
  const error = (name: string, message: string) =>
    new EC2ServiceException({
      name,
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message,
    });
  const store = new AwsImageStore((region) => {
    const client = new EC2Client({
      region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const mock = mockClient(client);
    const guard = (what: string) => {
      calls.push(`${region} ${what}`);
      if (denied.has(region))
        throw error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
    };
    mock.on(DescribeImagesCommand).callsFake((input) => {
      guard('DescribeImages');
      const id = input.ImageIds[0];
      const image = images.get(id);
      if (!image || image.region !== region)
        throw error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
      return {
        Images: [
          {
            ImageId: id,
            BlockDeviceMappings: image.snapshots.map((s, i) => ({
              DeviceName: `/dev/sd${'ab'[i]}`,
              Ebs: { SnapshotId: s },
            })),
          },
        ],
      };
    });
    mock.on(DeregisterImageCommand).callsFake((input) => {
      guard('DeregisterImage');
      images.delete(input.ImageId);
      return {};
    });
    mock.on(DeleteSnapshotCommand).callsFake((input) => {
      guard('DeleteSnapshot');
      if (!snapshots.delete(input.SnapshotId))
        throw error('InvalidSnapshot.NotFound', 'no such snapshot');
      return {};
    });
    return client;
  });
  return {
    store,
    calls,
    seed(region) {
      const n = (next++).toString(16).padStart(8, '0');
      const id = `ami-0${n}aaaaaaaa`;
      const snaps = [`snap-0${n}bbbbbbbb`];
      images.set(id, { region, snapshots: snaps });
      for (const s of snaps) snapshots.add(s);
      return {
        artifact: { platform: 'aws', region, externalIdentifier: id },
        parts: [id, ...snaps],
      };
    },
    exists: (a) => images.has(a.externalIdentifier),
    deny: (region) => denied.add(region),
    allow: (region) => denied.delete(region),
  };
}

/**
 * GcpImageStore against a fake of the @google-cloud/compute calls it makes (GCP is not
 * reachable here): Images.delete answers with a long-running operation (`[{ latestResponse:
 * { name, status: 'RUNNING' } }]`) that GlobalOperations.wait reports DONE, a missing
 * image is gRPC NOT_FOUND as the client surfaces it (`code: 404`), and a project without
 * permission is 403 "Required 'compute.images.delete' permission".
 */
export function gcpWorld(): ImageStoreWorld & { calls: string[] } {
  const images = new Set<string>();
  const denied = new Set<string>();
  const pending = new Map<string, string>();
  const calls: string[] = [];
  let next = 0;
  const compute: ComputeImages = {
    async delete({ project, image }) {
      calls.push(`images.delete ${project}/${image}`);
      if (denied.has(project))
        throw Object.assign(
          new Error(
            `Required 'compute.images.delete' permission for 'projects/${project}/global/images/${image}'`,
          ),
          { code: 403 },
        );
      const key = `projects/${project}/global/images/${image}`;
      if (!images.has(key))
        throw Object.assign(new Error(`The resource '${key}' was not found`), { code: 404 });
      const operation = `operation-${next++}`;
      pending.set(operation, key);
      return [{ latestResponse: { name: operation, status: 'RUNNING' } }];
    },
  };
  const operations: ComputeOperations = {
    async wait({ operation }) {
      calls.push(`globalOperations.wait ${operation}`);
      images.delete(pending.get(operation) as string);
      return [{ name: operation, status: 'DONE' }];
    },
  };
  return {
    store: new GcpImageStore(compute, operations),
    calls,
    // GCE images are global; "regions" here are projects, the unit of permission.
    seed(project, name) {
      const key = `projects/${project}/global/images/${name}-${next++}`;
      images.add(key);
      return {
        artifact: { platform: 'gcp', region: 'global', externalIdentifier: key },
        parts: [key],
      };
    },
    exists: (a) => images.has(a.externalIdentifier),
    deny: (project) => denied.add(project),
    allow: (project) => denied.delete(project),
  };
}
