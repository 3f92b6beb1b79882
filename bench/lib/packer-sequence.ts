/**
 * The call sequence an unmodified `packer build` makes for a 3-build template against
 * the registry (hashicorp/packer internal/hcp/registry/types.bucket.go: UpsertBucket,
 * GetVersion → Aborted → CreateVersion, ListBuilds, 3 × CreateBuild, per build RUNNING +
 * heartbeat + DONE with artifacts + channel update), with bodies as hcp-sdk-go marshals
 * them. Shared by bench/packer-publish.ts and bench/registry-channel-read.ts.
 */
import crypto from 'node:crypto';
import { goJson } from '../../test/helpers/go-sdk-json';

export interface SendReply {
  status: number;
  body: { code?: number; build?: { id: string } };
}

/** One API call, `url` relative to the project's HCP base path. */
export type Send = (method: string, url: string, body?: string) => Promise<SendReply>;

const COMPONENTS = [
  ['amazon-ebs.ubuntu', 'aws', 'us-east-1'],
  ['googlecompute.ubuntu', 'gcp', 'us-central1-a'],
  ['azure-arm.ubuntu', 'azure', 'westeurope'],
] as const;

/** Creates `bucket` and its channel `channel`, as a template's first build would find them. */
export async function preparePackerBucket(send: Send, bucket: string, channel: string) {
  await send('PUT', '/buckets', goJson('CreateBucketBody', { name: bucket }));
  await send('POST', `/buckets/${bucket}/channels`, goJson('CreateChannelBody', { name: channel }));
}

/** Publishes version `fp` of `bucket` as Packer does, moving `channel` to it. */
export async function packerPublish(
  send: Send,
  bucket: string,
  channel: string,
  fp: string,
): Promise<void> {
  const uuid = crypto.randomUUID();
  await send('GET', `/buckets/${bucket}`);
  const got = await send('GET', `/buckets/${bucket}/versions/${fp}`);
  if (got.body.code !== 10) throw new Error(`GetVersion: ${JSON.stringify(got.body)}`);
  const v = `/buckets/${bucket}/versions/${fp}`;
  await send(
    'POST',
    `/buckets/${bucket}/versions`,
    goJson('CreateVersionBody', { fingerprint: fp, template_type: 'HCL2' }),
  );
  await send('GET', `${v}/builds`);
  const builds = await Promise.all(
    COMPONENTS.map(([type]) =>
      send(
        'POST',
        `${v}/builds`,
        goJson('CreateBuildBody', {
          component_type: type,
          packer_run_uuid: uuid,
          status: 'BUILD_UNSET',
        }),
      ),
    ),
  );
  for (const [i, [, platform, region]] of COMPONENTS.entries()) {
    const url = `${v}/builds/${builds[i].body.build?.id}`;
    const running = goJson('UpdateBuildBody', { packer_run_uuid: uuid, status: 'BUILD_RUNNING' });
    await send('PATCH', url, running);
    await send('PATCH', url, running);
    await send(
      'PATCH',
      url,
      goJson('UpdateBuildBody', {
        artifacts: [{ external_identifier: `img-${fp}-${platform}`, region }],
        packer_run_uuid: uuid,
        platform,
        status: 'BUILD_DONE',
      }),
    );
    await send(
      'PATCH',
      `/buckets/${bucket}/channels/${channel}`,
      goJson('UpdateChannelBody', { update_mask: 'versionFingerprint', version_fingerprint: fp }),
    );
  }
}
