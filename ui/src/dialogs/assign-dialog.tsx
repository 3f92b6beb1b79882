import { useState } from 'preact/hooks';
import type { RegistryApi } from '../api/registry-api';
import type { Channel, Role, Version } from '../api/types';
import { ErrorAlert } from '../components/bits';
import { Dialog } from '../components/dialog';
import { canAssign, isAssignable } from '../permissions';
import { useAction } from './use-action';

// Not a valid channel name, so it never clashes with one.
const NEW = '+new';

/** Points a channel (existing or new) at a version of the bucket. */
export function AssignDialog(props: {
  api: RegistryApi;
  bucket: string;
  role: Role | undefined;
  channels: Channel[];
  /** Versions to offer; those a channel may not point at are left out. */
  versions: Version[];
  channel?: string;
  fingerprint?: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const channels = props.channels.filter((c) => canAssign(props.role, c));
  const versions = props.versions.filter(isAssignable);
  const [channel, setChannel] = useState(
    channels.some((c) => c.name === props.channel)
      ? (props.channel as string)
      : (channels[0]?.name ?? NEW),
  );
  const [newName, setNewName] = useState('');
  const [fingerprint, setFingerprint] = useState(
    versions.some((v) => v.fingerprint === props.fingerprint)
      ? (props.fingerprint as string)
      : (versions[0]?.fingerprint ?? ''),
  );
  const creating = channel === NEW;
  const name = creating ? newName.trim() : channel;
  const current = props.channels.find((c) => c.name === channel)?.version;

  const { busy, error, run } = useAction(async () => {
    const assigned = await props.api.assign(props.bucket, name, fingerprint, creating);
    const version = assigned.version;
    return `Channel “${assigned.name}” of bucket “${props.bucket}” now serves ${version ? `${version.name} (${version.fingerprint})` : 'no version'}.`;
  }, props.onDone);

  return (
    <Dialog title="Assign a version to a channel" onClose={props.onClose}>
      {versions.length === 0 ? (
        <>
          <p>This bucket has no complete, unrevoked version to assign.</p>
          <div class="buttons">
            <button type="button" onClick={props.onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form
          class="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void run();
          }}
        >
          <label>
            Channel
            <select value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
              {channels.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                  {c.restricted ? ' (restricted)' : ''}
                </option>
              ))}
              <option value={NEW}>New channel…</option>
            </select>
          </label>
          {creating && (
            <label>
              New channel name
              <input
                required
                pattern="[A-Za-z0-9\-]{1,36}"
                title="1–36 letters, digits and hyphens"
                value={newName}
                onInput={(e) => setNewName(e.currentTarget.value)}
              />
            </label>
          )}
          {!creating && (
            <p class="muted">
              Now serves {current ? `${current.name} (${current.fingerprint})` : 'no version'}.
            </p>
          )}
          <label>
            Version
            <select value={fingerprint} onChange={(e) => setFingerprint(e.currentTarget.value)}>
              {versions.map((v) => (
                <option key={v.fingerprint} value={v.fingerprint}>
                  {v.name} ({v.fingerprint})
                  {v.status === 'VERSION_REVOCATION_SCHEDULED' ? ' — revocation scheduled' : ''}
                </option>
              ))}
            </select>
          </label>
          <ErrorAlert error={error} />
          <div class="buttons">
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" class="primary" disabled={busy}>
              Assign
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
