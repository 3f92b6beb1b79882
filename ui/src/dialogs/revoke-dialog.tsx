import { useState } from 'preact/hooks';
import { rollbackTarget, validAt } from '../../../src/client/rollback-target';
import type { RegistryApi } from '../api/registry-api';
import type { AncestryRelation, Channel, ChannelAssignment, Consumer, Version } from '../api/types';
import { ErrorAlert, Loading } from '../components/bits';
import { ConsumersTable } from '../components/consumers-table';
import { Dialog } from '../components/dialog';
import { useLoad } from '../components/use-load';
import { VersionRefLink } from '../components/version-link';
import { formatTime } from '../format';
import { useAction } from './use-action';

interface Affected {
  consumers: Consumer[];
  children: AncestryRelation[];
  /** Each serving channel's history (newest first), to tell where it rolls back to. */
  histories: Record<string, ChannelAssignment[]>;
  /** The bucket's versions, for where `latest` moves. */
  versions: Version[];
}

/**
 * Where a channel serving the version goes once the revocation takes effect, as the
 * registry decides it (the same rule as the CLI's preview): its newest earlier valid
 * assignment, the newest valid version for `latest`, or nothing; never a promise of a
 * "previous valid version" the channel does not have.
 */
function destination(
  channel: Channel,
  affected: Affected,
  revoked: string,
  at: number,
  rollback: boolean,
): string {
  if (!rollback && !channel.managed) return 'keeps serving the revoked version';
  const gone = new Set([revoked]);
  const to = channel.managed
    ? affected.versions
        .filter((v) => !gone.has(v.fingerprint) && validAt(v, at))
        .sort((a, b) => Number(b.name.slice(1)) - Number(a.name.slice(1)))[0]
    : rollbackTarget(affected.histories[channel.name] ?? [], gone, at);
  if (!to) {
    return channel.managed
      ? 'is left empty: the bucket has no other valid version'
      : 'is left empty: it served no earlier version that is still valid';
  }
  return `${channel.managed ? 'moves' : 'rolls back'} to ${to.name} (${to.fingerprint})`;
}

/**
 * Revokes a version now or at a time. Before confirming, it shows what the revocation
 * reaches: the channels that serve the version, the stacks that use it, and the versions
 * built from it.
 */
export function RevokeDialog(props: {
  api: RegistryApi;
  version: Version;
  channels: Channel[];
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { api, version } = props;
  const bucket = version.bucket_name;
  const [when, setWhen] = useState<'now' | 'at'>('now');
  const [at, setAt] = useState('');
  const [message, setMessage] = useState('');
  const [descendants, setDescendants] = useState(true);
  const [rollback, setRollback] = useState(true);

  const serving = props.channels.filter((c) => c.version?.fingerprint === version.fingerprint);
  const affected = useLoad<Affected>(`affected ${bucket}/${version.fingerprint}`, async () => {
    const [consumers, children, histories, versions] = await Promise.all([
      api.versionConsumers(bucket, version.fingerprint),
      version.has_descendants ? api.ancestry(bucket, 'ANCESTRY_TYPE_CHILDREN') : [],
      Promise.all(
        serving
          .filter((c) => !c.managed)
          .map(async (c) => [c.name, await api.channelHistory(bucket, c.name)] as const),
      ),
      serving.some((c) => c.managed) ? api.versions(bucket) : [],
    ]);
    return {
      consumers,
      children: children.filter(
        (r) =>
          r.parent.bucket_name === bucket && r.parent.version_fingerprint === version.fingerprint,
      ),
      histories: Object.fromEntries(histories),
      versions,
    };
  });
  // When it takes effect: now, or the chosen local time.
  const effectiveAt = when === 'at' && at ? new Date(at).getTime() : Date.now();

  const label = `${version.name} (${version.fingerprint})`;
  const { busy, error, run } = useAction(async () => {
    // datetime-local is the user's local time; the API takes an absolute instant.
    const revokeAt = when === 'at' ? new Date(at).toISOString() : null;
    const revoked = await api.revoke(bucket, version.fingerprint, {
      revokeAt,
      message: message.trim(),
      skipDescendants: !descendants,
      disableRollback: !rollback,
    });
    if (revoked.status === 'VERSION_REVOCATION_SCHEDULED') {
      return `Revocation of ${label} scheduled for ${formatTime(revoked.revoke_at as string)}.${
        serving.length && rollback
          ? ` Channels ${serving.map((c) => `“${c.name}”`).join(', ')} roll back when it takes effect.`
          : ''
      }`;
    }
    const after = await api.channels(bucket);
    const moves = serving.map((before) => {
      const now = after.find((c) => c.name === before.name)?.version;
      if (now?.fingerprint === version.fingerprint)
        return `Channel “${before.name}” still serves it (rollback disabled).`;
      const moved = before.managed ? 'now serves' : 'rolled back to';
      return now
        ? `Channel “${before.name}” ${moved} ${now.name} (${now.fingerprint}).`
        : `Channel “${before.name}” ${moved} no version (it had no earlier valid one).`;
    });
    return [`Revoked ${label} of bucket “${bucket}”.`, ...moves].join(' ');
  }, props.onDone);

  return (
    <Dialog title={`Revoke ${version.name} of ${bucket}`} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <fieldset>
          <legend>When</legend>
          <label class="inline">
            <input
              type="radio"
              name="when"
              checked={when === 'now'}
              onChange={() => setWhen('now')}
            />
            Now
          </label>
          <label class="inline">
            <input
              type="radio"
              name="when"
              checked={when === 'at'}
              onChange={() => setWhen('at')}
            />
            At a chosen time
          </label>
          {when === 'at' && (
            <label>
              Revoke at (your local time)
              <input
                type="datetime-local"
                required
                value={at}
                onInput={(e) => setAt(e.currentTarget.value)}
              />
            </label>
          )}
        </fieldset>
        <label>
          Reason (shown to everyone who resolves this version)
          <textarea
            rows={2}
            maxLength={1000}
            value={message}
            onInput={(e) => setMessage(e.currentTarget.value)}
          />
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={rollback}
            onChange={(e) => setRollback(e.currentTarget.checked)}
          />
          Roll channels that serve it back to their previous valid version, if they have one
        </label>
        {version.has_descendants && (
          <label class="inline">
            <input
              type="checkbox"
              checked={descendants}
              onChange={(e) => setDescendants(e.currentTarget.checked)}
            />
            Also revoke the versions built from it (descendants)
          </label>
        )}

        <section aria-labelledby="affected-heading" class="affected">
          <h3 id="affected-heading">What this affects</h3>
          <h4>Channels serving {version.name}</h4>
          {serving.length ? (
            <ul>
              {serving.map((c) => (
                <li key={c.name}>
                  <strong>{c.name}</strong>:{' '}
                  {affected.data
                    ? destination(c, affected.data, version.fingerprint, effectiveAt, rollback)
                    : '…'}
                  {when === 'at' ? ' when the revocation takes effect' : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No channel serves it.</p>
          )}
          <h4>Versions built from it</h4>
          {!version.has_descendants && <p class="muted">None.</p>}
          {affected.data && version.has_descendants && (
            <>
              <ul>
                {affected.data.children.map((r) => (
                  <li key={`${r.child.bucket_name}/${r.child.version_fingerprint}`}>
                    <VersionRefLink scope={api.scope} version={r.child} />
                  </li>
                ))}
              </ul>
              <p class="muted">
                {descendants
                  ? 'They, and the versions built from them in turn, are revoked too.'
                  : 'They stay valid.'}
              </p>
            </>
          )}
          <h4>Stacks using {version.name}</h4>
          {affected.loading && !affected.error && <Loading what="consumers" />}
          <ErrorAlert error={affected.error} />
          {affected.data && (
            <ConsumersTable
              caption={`Consumers of ${version.name}`}
              none="No stack has recorded using it."
              consumers={affected.data.consumers}
              scope={api.scope}
              bucket={bucket}
              showVersion={false}
            />
          )}
        </section>

        <ErrorAlert error={error} />
        <div class="buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {when === 'now'
              ? `Revoke ${version.name} now`
              : `Schedule revocation of ${version.name}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
