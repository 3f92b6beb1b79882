import type { Labels } from '../api/types';
import { formatTime } from '../format';

export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
    </time>
  );
}

export function ErrorAlert({ error }: { error?: Error | null }) {
  if (!error) return null;
  return (
    <p role="alert" class="error">
      {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function LabelList({ labels }: { labels: Labels }) {
  const entries = Object.entries(labels);
  if (!entries.length) return <span class="muted">none</span>;
  return (
    <ul class="labels">
      {entries.map(([key, value]) => (
        <li key={key}>
          <code>
            {key}={value}
          </code>
        </li>
      ))}
    </ul>
  );
}
