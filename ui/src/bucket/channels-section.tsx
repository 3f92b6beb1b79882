import type { Scope } from '../api/registry-api';
import type { Channel, ChannelAssignment, Role } from '../api/types';
import { Time } from '../components/bits';
import { VersionLink } from '../components/version-link';
import { canAssign, isAssignable } from '../permissions';

export interface ChannelActions {
  assign: (channel?: string) => void;
  rollBack: (channel: Channel, to: ChannelAssignment) => void;
}

/** A bucket's channels, what each serves now, and every assignment it ever had. */
export function ChannelsSection(props: {
  scope: Scope;
  role: Role | undefined;
  channels: Channel[];
  histories: Record<string, ChannelAssignment[]>;
  actions: ChannelActions;
}) {
  const { scope, role, channels, actions } = props;
  return (
    <section aria-labelledby="channels-heading">
      <div class="section-head">
        <h2 id="channels-heading">Channels</h2>
        {canAssign(role) && (
          <button type="button" class="primary" onClick={() => actions.assign()}>
            Assign a version…
          </button>
        )}
      </div>
      {channels.length === 0 ? (
        <p class="muted">No channels yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Channels and the versions they serve</caption>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Serves</th>
                <th scope="col">Kind</th>
                <th scope="col">Last assigned</th>
                <th scope="col">By</th>
                {canAssign(role) && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {channels.map((c) => (
                <tr key={c.name} data-channel={c.name}>
                  <th scope="row">{c.name}</th>
                  <td>
                    <VersionLink scope={scope} version={c.version} />
                  </td>
                  <td>
                    {c.managed
                      ? 'managed (newest valid version)'
                      : c.restricted
                        ? 'restricted'
                        : 'open'}
                  </td>
                  <td>
                    <Time iso={c.updated_at} />
                  </td>
                  <td>
                    <code>{c.author_id}</code>
                  </td>
                  {canAssign(role) && (
                    <td>
                      {canAssign(role, c) && (
                        <button
                          type="button"
                          aria-label={`Assign a version to ${c.name}`}
                          onClick={() => actions.assign(c.name)}
                        >
                          Assign…
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {channels.map((c) => (
        <History key={c.name} {...props} channel={c} history={props.histories[c.name] ?? []} />
      ))}
    </section>
  );
}

function History(props: {
  scope: Scope;
  role: Role | undefined;
  channel: Channel;
  history: ChannelAssignment[];
  actions: ChannelActions;
}) {
  const { channel, history, role } = props;
  const current = channel.version?.fingerprint;
  // An earlier valid version, other than what the channel serves now, can be brought back.
  const canRollBackTo = (entry: ChannelAssignment, index: number) =>
    index > 0 &&
    canAssign(role, channel) &&
    !!entry.version &&
    isAssignable(entry.version) &&
    entry.version.fingerprint !== current;
  return (
    <details class="history">
      <summary>
        Assignment history of <strong>{channel.name}</strong> ({history.length})
      </summary>
      {history.length === 0 ? (
        <p class="muted">
          No assignments recorded
          {channel.managed ? ': it follows the newest valid version by itself' : ''}.
        </p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">
              Assignment history of {channel.name}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Assigned</th>
                <th scope="col">Version</th>
                <th scope="col">By</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.map((entry, i) => (
                <tr key={`${entry.assigned_at}-${i}`}>
                  <td>
                    <Time iso={entry.assigned_at} />
                    {i === 0 && <span class="muted"> (current)</span>}
                  </td>
                  <td>
                    <VersionLink scope={props.scope} version={entry.version} />
                  </td>
                  <td>
                    <code>{entry.author_id}</code>
                  </td>
                  <td>
                    {canRollBackTo(entry, i) && (
                      <button type="button" onClick={() => props.actions.rollBack(channel, entry)}>
                        Roll back {channel.name} to {entry.version?.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
