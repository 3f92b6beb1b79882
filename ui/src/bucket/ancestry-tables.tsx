import type { Scope } from '../api/registry-api';
import type { AncestryRelation } from '../api/types';
import { AncestryBadge } from '../components/status';
import { VersionRefLink } from '../components/version-link';

/** Versions of this bucket and the parent versions (and channels) they were built from. */
export function ParentsTable(props: {
  scope: Scope;
  relations: AncestryRelation[];
  caption: string;
  /** What to say when there are none. */
  none: string;
}) {
  if (!props.relations.length) return <p class="muted">{props.none}</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Built from</th>
            <th scope="col">Parent channel</th>
            <th scope="col">Parent channel serves now</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.relations.map((r) => (
            <tr
              key={`${r.child.version_fingerprint}<${r.parent.bucket_name}/${r.parent.version_fingerprint}`}
            >
              <td>
                <VersionRefLink scope={props.scope} version={r.child} />
              </td>
              <td>
                <VersionRefLink scope={props.scope} version={r.parent} />
              </td>
              <td>{r.parent.channel_name ?? <span class="muted">none (by version)</span>}</td>
              <td>{r.parent.channel_version?.name ?? <span class="muted">—</span>}</td>
              <td>
                <AncestryBadge status={r.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Versions of other buckets built from this bucket's versions. */
export function ChildrenTable(props: {
  scope: Scope;
  relations: AncestryRelation[];
  caption: string;
  /** What to say when there are none. */
  none: string;
}) {
  if (!props.relations.length) return <p class="muted">{props.none}</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Built into</th>
            <th scope="col">Through channel</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.relations.map((r) => (
            <tr
              key={`${r.parent.version_fingerprint}>${r.child.bucket_name}/${r.child.version_fingerprint}`}
            >
              <td>
                <VersionRefLink scope={props.scope} version={r.parent} />
              </td>
              <td>
                <VersionRefLink scope={props.scope} version={r.child} />
              </td>
              <td>{r.parent.channel_name ?? <span class="muted">none (by version)</span>}</td>
              <td>
                <AncestryBadge status={r.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
