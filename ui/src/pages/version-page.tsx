import { useEffect, useState } from 'preact/hooks';
import type { AncestryRelation, Channel, Consumer, Package, Version } from '../api/types';
import { ChildrenTable, ParentsTable } from '../bucket/ancestry-tables';
import { ErrorAlert, Loading, Time } from '../components/bits';
import { Breadcrumbs } from '../components/breadcrumbs';
import { ConsumersTable } from '../components/consumers-table';
import { AncestryBadge, VersionStatusBadge } from '../components/status';
import { useLoad } from '../components/use-load';
import { AssignDialog } from '../dialogs/assign-dialog';
import { ConfirmDialog } from '../dialogs/confirm-dialog';
import { RevokeDialog } from '../dialogs/revoke-dialog';
import { BuildsSection } from '../version/builds-section';
import { RevocationDetails } from '../version/revocation-details';
import { canAssign, canRevoke, isAssignable } from '../permissions';
import { bucketHref, bucketsHref, versionHref } from '../router';
import type { PageProps } from '../signed-in';
import { nameOr } from '../../../src/client/version-name';

interface VersionData {
  version: Version;
  channels: Channel[];
  parents: AncestryRelation[];
  children: AncestryRelation[];
  consumers: Consumer[];
  packages: Record<string, Package[]>;
}

type Open = 'assign' | 'revoke' | 'restore';

/** One version: its builds and image ids, ancestry, consumers, and what may be done to it. */
export function VersionPage(props: PageProps & { bucket: string; fingerprint: string }) {
  const { api, role, notify, bucket, fingerprint } = props;
  const { organizationId, projectId } = api.scope;
  const loaded = useLoad<VersionData>(
    `version ${organizationId}/${projectId}/${bucket}/${fingerprint}`,
    async () => {
      const [version, channels, parents, children, consumers] = await Promise.all([
        api.version(bucket, fingerprint),
        api.channels(bucket),
        api.ancestry(bucket, 'ANCESTRY_TYPE_PARENTS'),
        api.ancestry(bucket, 'ANCESTRY_TYPE_CHILDREN'),
        api.versionConsumers(bucket, fingerprint),
      ]);
      const packages = await Promise.all(
        version.builds.map((b) => api.buildPackages(bucket, fingerprint, b.id)),
      );
      return {
        version,
        channels,
        packages: Object.fromEntries(version.builds.map((b, i) => [b.id, packages[i]])),
        parents: parents.filter((r) => r.child.version_fingerprint === fingerprint),
        children: children.filter((r) => r.parent.version_fingerprint === fingerprint),
        consumers,
      };
    },
  );
  const [open, setOpen] = useState<Open | null>(null);
  const data = loaded.data;
  const title = `${bucket} ${nameOr(data?.version.name, fingerprint)}`;

  useEffect(() => {
    document.title = `${title} · Ingot registry`;
  }, [title]);

  const done = (message: string) => {
    setOpen(null);
    notify(message);
    loaded.reload();
  };

  return (
    <>
      <Breadcrumbs
        trail={[
          { label: `${organizationId} / ${projectId}`, href: bucketsHref(api.scope) },
          { label: bucket, href: bucketHref(api.scope, bucket) },
          {
            label: nameOr(data?.version.name, fingerprint),
            href: versionHref(api.scope, bucket, fingerprint),
          },
        ]}
      />
      <h1>{title}</h1>
      <ErrorAlert error={loaded.error} />
      {loaded.loading && !loaded.error && <Loading what="the version" />}
      {data && <VersionDetails {...props} data={data} onOpen={setOpen} />}
      {data && open === 'assign' && (
        <AssignDialog
          api={api}
          bucket={bucket}
          role={role}
          channels={data.channels}
          versions={[data.version]}
          fingerprint={fingerprint}
          onClose={() => setOpen(null)}
          onDone={done}
        />
      )}
      {data && open === 'revoke' && (
        <RevokeDialog
          api={api}
          version={data.version}
          channels={data.channels}
          onClose={() => setOpen(null)}
          onDone={done}
        />
      )}
      {data && open === 'restore' && (
        <RestoreDialog
          {...props}
          version={data.version}
          onClose={() => setOpen(null)}
          onDone={done}
        />
      )}
    </>
  );
}

function VersionDetails(props: PageProps & { data: VersionData; onOpen: (dialog: Open) => void }) {
  const { api, role, data, onOpen } = props;
  const { version } = data;
  const serving = data.channels.filter((c) => c.version?.fingerprint === version.fingerprint);
  const scheduled = version.status === 'VERSION_REVOCATION_SCHEDULED';
  const revoked = version.status === 'VERSION_REVOKED';
  const actions = [
    canAssign(role) && isAssignable(version) && (
      <button key="assign" type="button" class="primary" onClick={() => onOpen('assign')}>
        Assign to a channel…
      </button>
    ),
    canRevoke(role) && version.status === 'VERSION_ACTIVE' && (
      <button key="revoke" type="button" class="danger" onClick={() => onOpen('revoke')}>
        Revoke…
      </button>
    ),
    canRevoke(role) && (scheduled || revoked) && (
      <button key="restore" type="button" onClick={() => onOpen('restore')}>
        {scheduled ? 'Cancel scheduled revocation…' : 'Restore…'}
      </button>
    ),
  ].filter(Boolean);

  return (
    <>
      <section aria-label="About this version" class="card">
        <dl class="facts">
          <dt>Fingerprint</dt>
          <dd>
            <code>{version.fingerprint}</code>
          </dd>
          <dt>Status</dt>
          <dd>
            <VersionStatusBadge version={version} />
          </dd>
          <dt>Created</dt>
          <dd>
            <Time iso={version.created_at} /> by <code>{version.author_id}</code>
          </dd>
          <dt>Parents</dt>
          <dd>
            <AncestryBadge status={version.parents?.status} />
          </dd>
          <dt>Served by</dt>
          <dd>
            {serving.length ? (
              serving.map((c) => c.name).join(', ')
            ) : (
              <span class="muted">no channel</span>
            )}
          </dd>
        </dl>
        {actions.length > 0 && (
          <div class="buttons start" role="group" aria-label="Actions">
            {actions}
          </div>
        )}
      </section>
      {version.revoke_at && <RevocationDetails scope={api.scope} version={version} />}
      <BuildsSection builds={version.builds} packages={data.packages} />
      <section aria-labelledby="ancestry-heading">
        <h2 id="ancestry-heading">Ancestry</h2>
        <h3>Built from</h3>
        <ParentsTable
          scope={api.scope}
          relations={data.parents}
          caption="The versions this one was built from"
          none="Not built from another version."
        />
        <h3>Built from this version</h3>
        <ChildrenTable
          scope={api.scope}
          relations={data.children}
          caption="Versions built from this one"
          none="No version was built from it."
        />
      </section>
      <section aria-labelledby="consumers-heading">
        <h2 id="consumers-heading">Consumers</h2>
        <ConsumersTable
          caption={`Stacks using ${nameOr(version.name, version.fingerprint)}`}
          none="No stack has recorded using this version."
          consumers={data.consumers}
          scope={api.scope}
          bucket={version.bucket_name}
          showVersion={false}
        />
      </section>
    </>
  );
}

/** Restores a revoked version, or cancels a scheduled revocation (the same API call). */
function RestoreDialog(
  props: PageProps & { version: Version; onClose: () => void; onDone: (message: string) => void },
) {
  const { api, version } = props;
  const scheduled = version.status === 'VERSION_REVOCATION_SCHEDULED';
  const label = `${version.name} (${version.fingerprint})`;
  return (
    <ConfirmDialog
      title={scheduled ? `Cancel the revocation of ${version.name}` : `Restore ${version.name}`}
      confirmLabel={scheduled ? 'Cancel the revocation' : `Restore ${version.name}`}
      action={async () => {
        await api.restore(version.bucket_name, version.fingerprint);
        return scheduled
          ? `The scheduled revocation of ${label} is cancelled.`
          : `Restored ${label}. Channels that rolled back stay where they are; assign it again to serve it.`;
      }}
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <p>
        {scheduled ? (
          <>
            {version.name} was to be revoked on <Time iso={version.revoke_at as string} />. It stays
            valid.
          </>
        ) : (
          <>
            {version.name} becomes valid again, with the versions that inherited its revocation.
            Channels that rolled back stay where they are.
          </>
        )}
      </p>
    </ConfirmDialog>
  );
}
