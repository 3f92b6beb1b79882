import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { DeleteResult, ImageArtifact, ImageStore } from './image-store';

/**
 * AMIs through the AWS SDK v3: DescribeImages (owned by this account) for the snapshots
 * behind the AMI, DeregisterImage, then DeleteSnapshot for each, one EC2 client per
 * region (credentials from the default provider chain, as in CI's OIDC role).
 */
export class AwsImageStore implements ImageStore {
  readonly platform = 'aws';
  private readonly clients = new Map<string, EC2Client>();

  constructor(
    private readonly clientFor: (region: string) => EC2Client = (region) =>
      new EC2Client({ region }),
  ) {}

  private client(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) this.clients.set(region, (client = this.clientFor(region)));
    return client;
  }

  async delete(artifact: ImageArtifact): Promise<DeleteResult> {
    const ec2 = this.client(artifact.region);
    const id = artifact.externalIdentifier;
    let described;
    try {
      described = await ec2.send(new DescribeImagesCommand({ ImageIds: [id], Owners: ['self'] }));
    } catch (error) {
      if ((error as Error).name === 'InvalidAMIID.NotFound') return { deleted: [], missing: true };
      throw error;
    }
    const image = described.Images?.[0];
    if (!image) return { deleted: [], missing: true };
    const snapshots = (image.BlockDeviceMappings ?? [])
      .map((m) => m.Ebs?.SnapshotId)
      .filter((s): s is string => Boolean(s));
    await ec2.send(new DeregisterImageCommand({ ImageId: id }));
    const deleted = [`${id} (${artifact.region})`];
    for (const snapshot of snapshots) {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot }));
      deleted.push(`${snapshot} (${artifact.region})`);
    }
    return { deleted, missing: false };
  }
}
