import type { Scope } from '../api/registry-api';
import type { Consumer } from '../api/types';
import { versionHref } from '../router';
import { Time } from './bits';

/** Which stacks run which version (recorded by the Pulumi providers when they resolve one). */
export function ConsumersTable(props: {
  caption: string;
  /** What to say when there are none. */
  none: string;
  consumers: Consumer[];
  scope: Scope;
  bucket: string;
  /** Whether to show the version column (a bucket's consumers span versions). */
  showVersion: boolean;
}) {
  if (!props.consumers.length) {
    return <p class="muted">{props.none}</p>;
  }
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Pulumi project / stack</th>
            <th scope="col">Resource</th>
            <th scope="col">Channel</th>
            {props.showVersion && <th scope="col">Version</th>}
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {props.consumers.map((c) => (
            <tr key={c.id}>
              <td>
                {c.pulumi_project} / {c.stack}
              </td>
              <td>
                <code class="wrap">{c.urn}</code>
              </td>
              <td>{c.channel || <span class="muted">by fingerprint</span>}</td>
              {props.showVersion && (
                <td>
                  {c.version_fingerprint && (
                    <a href={versionHref(props.scope, props.bucket, c.version_fingerprint)}>
                      {c.version_name || c.version_fingerprint}
                    </a>
                  )}
                </td>
              )}
              <td>
                <Time iso={c.last_seen_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
