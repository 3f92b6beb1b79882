import type { Scope } from '../api/registry-api';
import type { Channel, ChannelAssignment, ChannelHold, Role } from '../api/types';
import { Time } from '../components/bits';
import { HoldFacts } from '../components/hold-facts';
import { VersionLink } from '../components/version-link';
import { canAssign, isAssignable } from '../permissions';

export interface ChannelActions {
  assign: (channel?: string) => void;
  rollBack: (channel: Channel, to: ChannelAssignment) => void;
  hold: (channel: Channel) => void;
  release: (channel: Channel, hold: ChannelHold) => void;
}

/**
 * A bucket's channels, what each serves now, whether it is held (who, since, until, why),
 * and every assignment it ever had.
 */
export function ChannelsSection(props: {
  scope: Scope;
  role: Role | undefined;
  channels: Channel[];
  holds: ChannelHold[];
  histories: Record<string, ChannelAssignment[]>;
  actions: ChannelActions;
}) {
  const { scope, role, channels, actions } = props;
  const holdOf = (c: Channel) => props.holds.find((h) => h.channel === c.name);
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
                <th scope="col">Hold</th>
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
                  <HoldCell
                    hold={holdOf(c)}
                    channel={c}
                    canChange={canAssign(role, c)}
                    actions={actions}
                  />
                  {canAssign(role) && (
                    <td>
                      {canAssign(role, c) && !holdOf(c) && (
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

/** Whether the channel is held, and the hold or release action for who may change it. */
function HoldCell(props: {
  hold: ChannelHold | undefined;
  channel: Channel;
  canChange: boolean;
  actions: ChannelActions;
}) {
  const { hold, channel, canChange, actions } = props;
  if (hold)
    return (
      <td class="held">
        <HoldFacts hold={hold} />
        {canChange && (
          <>
            {' '}
            <button
              type="button"
              aria-label={`Release the hold on ${channel.name}`}
              onClick={() => actions.release(channel, hold)}
            >
              Release…
            </button>
          </>
        )}
      </td>
    );
  return (
    <td>
      <span class="muted">not held</span>
      {canChange && (
        <>
          {' '}
          <button
            type="button"
            aria-label={`Hold ${channel.name}`}
            onClick={() => actions.hold(channel)}
          >
            Hold…
          </button>
        </>
      )}
    </td>
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
