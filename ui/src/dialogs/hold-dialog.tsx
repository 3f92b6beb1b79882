import { useState } from 'preact/hooks';
import type { RegistryApi } from '../api/registry-api';
import type { Channel } from '../api/types';
import { ErrorAlert } from '../components/bits';
import { Dialog } from '../components/dialog';
import { useAction } from './use-action';

/** What the expiry choice offers: the registry's duration syntax, or no expiry. */
const EXPIRIES = [
  { value: '', label: 'Until released' },
  { value: '24h', label: '24 hours' },
  { value: '72h', label: '3 days' },
  { value: '168h', label: '1 week' },
];

/**
 * Holds a channel (as `ingot channels hold` and promote.yml's rollback do): states what
 * the hold stops before anything changes, then asks for the reason every refused
 * promotion will show.
 */
export function HoldDialog(props: {
  api: RegistryApi;
  bucket: string;
  channel: Channel;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { channel } = props;
  const [reason, setReason] = useState('');
  const [expiresIn, setExpiresIn] = useState('');
  const { busy, error, run } = useAction(async () => {
    const hold = await props.api.hold(
      props.bucket,
      channel.name,
      reason.trim(),
      expiresIn || undefined,
    );
    const until = hold.expires_at ? ` until ${new Date(hold.expires_at).toLocaleString()}` : '';
    return `Channel “${channel.name}” of bucket “${props.bucket}” is held${until}: ${hold.reason}`;
  }, props.onDone);

  return (
    <Dialog title={`Hold ${channel.name}`} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <p>
          Channel <strong>{channel.name}</strong> keeps serving{' '}
          {channel.version
            ? `${channel.version.name} (${channel.version.fingerprint})`
            : 'no version'}
          . Every assignment and promotion to it — the scheduled ones included — is refused, showing
          your reason, until the hold is released
          {expiresIn ? ' or expires' : ''}.
        </p>
        <label>
          Reason
          <textarea
            required
            maxLength={1000}
            rows={3}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <label>
          Expires
          <select value={expiresIn} onChange={(e) => setExpiresIn(e.currentTarget.value)}>
            {EXPIRIES.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        </label>
        <ErrorAlert error={error} />
        <div class="buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy || reason.trim() === ''}>
            Hold {channel.name}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
