import { useEffect, useState } from 'preact/hooks';
import type {
  AncestryRelation,
  Bucket,
  Channel,
  ChannelAssignment,
  ChannelHold,
  Consumer,
  EnforcedBlockDetail,
  Version,
} from '../api/types';
import { ChildrenTable, ParentsTable } from '../bucket/ancestry-tables';
import { ChannelsSection } from '../bucket/channels-section';
import { EnforcedBlocksSection } from '../bucket/enforced-blocks-section';
import { VersionsSection } from '../bucket/versions-section';
import { ErrorAlert, LabelList, Loading, Time } from '../components/bits';
import { Breadcrumbs } from '../components/breadcrumbs';
import { ConsumersTable } from '../components/consumers-table';
import { AncestryBadge } from '../components/status';
import { useLoad } from '../components/use-load';
import { AssignDialog } from '../dialogs/assign-dialog';
import { ConfirmDialog } from '../dialogs/confirm-dialog';
import { HoldDialog } from '../dialogs/hold-dialog';
import { HoldFacts } from '../components/hold-facts';
import { bucketHref, bucketsHref } from '../router';
import type { PageProps } from '../signed-in';

interface BucketData {
  bucket: Bucket;
  versions: Version[];
  channels: Channel[];
  holds: ChannelHold[];
  histories: Record<string, ChannelAssignment[]>;
  parents: AncestryRelation[];
  children: AncestryRelation[];
  consumers: Consumer[];
  enforced: EnforcedBlockDetail[];
}

type Open =
  | { kind: 'assign'; channel?: string }
  | { kind: 'roll-back'; channel: Channel; to: ChannelAssignment }
  | { kind: 'hold'; channel: Channel }
  | { kind: 'release'; channel: Channel; hold: ChannelHold };

/** One bucket: its versions, channels with their history, ancestry and consumers. */
export function BucketPage(props: PageProps & { bucket: string }) {
  const { api, role, notify, bucket: name } = props;
  const { organizationId, projectId } = api.scope;
  const loaded = useLoad<BucketData>(`bucket ${organizationId}/${projectId}/${name}`, async () => {
    const [bucket, versions, channels, holds, parents, children, consumers, enforced] =
      await Promise.all([
        api.bucket(name),
        api.versions(name),
        api.channels(name),
        api.holds(name),
        api.ancestry(name, 'ANCESTRY_TYPE_PARENTS'),
        api.ancestry(name, 'ANCESTRY_TYPE_CHILDREN'),
        api.bucketConsumers(name),
        api.enforcedBlocks(name),
      ]);
    const histories = await Promise.all(channels.map((c) => api.channelHistory(name, c.name)));
    return {
      bucket,
      versions,
      channels,
      holds,
      histories: Object.fromEntries(channels.map((c, i) => [c.name, histories[i]])),
      parents,
      children,
      consumers,
      enforced,
    };
  });
  const [open, setOpen] = useState<Open | null>(null);

  useEffect(() => {
    document.title = `${name} · Ingot registry`;
  }, [name]);

  const done = (message: string) => {
    setOpen(null);
    notify(message);
    loaded.reload();
  };
  const data = loaded.data;

  return (
    <>
      <Breadcrumbs
        trail={[
          { label: `${organizationId} / ${projectId}`, href: bucketsHref(api.scope) },
          { label: name, href: bucketHref(api.scope, name) },
        ]}
      />
      <h1>{name}</h1>
      <ErrorAlert error={loaded.error} />
      {loaded.loading && !loaded.error && <Loading what="the bucket" />}
      {data && (
        <>
          <section aria-label="About this bucket" class="card">
            <p>{data.bucket.description || <span class="muted">No description.</span>}</p>
            <dl class="facts">
              <dt>Labels</dt>
              <dd>
                <LabelList labels={data.bucket.labels} />
              </dd>
              <dt>Platforms</dt>
              <dd>{data.bucket.platforms.join(', ') || <span class="muted">none</span>}</dd>
              <dt>Parents</dt>
              <dd>
                <AncestryBadge status={data.bucket.parents?.status} />
              </dd>
              <dt>Children</dt>
              <dd>
                <AncestryBadge status={data.bucket.children?.status} />
              </dd>
              <dt>Created</dt>
              <dd>
                <Time iso={data.bucket.created_at} />
              </dd>
              <dt>Last updated</dt>
              <dd>
                <Time iso={data.bucket.updated_at} />
              </dd>
            </dl>
          </section>
          <ChannelsSection
            scope={api.scope}
            role={role}
            channels={data.channels}
            holds={data.holds}
            histories={data.histories}
            actions={{
              assign: (channel) => setOpen({ kind: 'assign', channel }),
              rollBack: (channel, to) => setOpen({ kind: 'roll-back', channel, to }),
              hold: (channel) => setOpen({ kind: 'hold', channel }),
              release: (channel, hold) => setOpen({ kind: 'release', channel, hold }),
            }}
          />
          <VersionsSection scope={api.scope} versions={data.versions} />
          <EnforcedBlocksSection blocks={data.enforced} />
          <section aria-labelledby="ancestry-heading">
            <h2 id="ancestry-heading">Ancestry</h2>
            <h3>Parents</h3>
            <ParentsTable
              scope={api.scope}
              relations={data.parents}
              caption="Versions of this bucket and what they were built from"
              none="No version of this bucket was built from another version."
            />
            <h3>Children</h3>
            <ChildrenTable
              scope={api.scope}
              relations={data.children}
              caption="Versions built from this bucket’s versions"
              none="No version was built from this bucket’s versions."
            />
          </section>
          <section aria-labelledby="consumers-heading">
            <h2 id="consumers-heading">Consumers</h2>
            <ConsumersTable
              caption="Stacks using this bucket’s versions"
              none="No stack has recorded using this bucket’s versions."
              consumers={data.consumers}
              scope={api.scope}
              bucket={name}
              showVersion
            />
          </section>
          {open?.kind === 'assign' && (
            <AssignDialog
              api={api}
              bucket={name}
              role={role}
              channels={data.channels}
              versions={data.versions}
              channel={open.channel}
              onClose={() => setOpen(null)}
              onDone={done}
            />
          )}
          {open?.kind === 'hold' && (
            <HoldDialog
              api={api}
              bucket={name}
              channel={open.channel}
              onClose={() => setOpen(null)}
              onDone={done}
            />
          )}
          {open?.kind === 'release' && (
            <ConfirmDialog
              title={`Release the hold on ${open.channel.name}`}
              confirmLabel={`Release ${open.channel.name}`}
              action={async () => {
                await api.release(name, open.channel.name);
                return `Channel “${open.channel.name}” is released: promotions may move it again.`;
              }}
              onClose={() => setOpen(null)}
              onDone={done}
            >
              <p>
                <HoldFacts hold={open.hold} />.
              </p>
              <p>
                Once released, the next promotion — the scheduled one included — may move{' '}
                <strong>{open.channel.name}</strong> off{' '}
                {open.channel.version ? open.channel.version.name : 'its version'}.
              </p>
            </ConfirmDialog>
          )}
          {open?.kind === 'roll-back' && open.to.version && (
            <ConfirmDialog
              title={`Roll ${open.channel.name} back to ${open.to.version.name}`}
              confirmLabel={`Roll back to ${open.to.version.name}`}
              action={async () => {
                const version = open.to.version as Version;
                await api.assign(name, open.channel.name, version.fingerprint, false);
                return `Channel “${open.channel.name}” rolled back to ${version.name} (${version.fingerprint}).`;
              }}
              onClose={() => setOpen(null)}
              onDone={done}
            >
              <p>
                Channel <strong>{open.channel.name}</strong> serves{' '}
                {open.channel.version
                  ? `${open.channel.version.name} (${open.channel.version.fingerprint})`
                  : 'no version'}
                . It will serve {open.to.version.name} ({open.to.version.fingerprint}) again, as
                assigned on <Time iso={open.to.assigned_at} /> by <code>{open.to.author_id}</code>.
                The move is recorded in its history.
              </p>
            </ConfirmDialog>
          )}
        </>
      )}
    </>
  );
}
