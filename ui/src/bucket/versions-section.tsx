import type { Scope } from '../api/registry-api';
import type { Version } from '../api/types';
import { Time } from '../components/bits';
import { VersionStatusBadge } from '../components/status';
import { versionHref } from '../router';
import { nameOr } from '../../../src/client/version-name';

/** A bucket's versions, newest first, with their revocation state. */
export function VersionsSection(props: { scope: Scope; versions: Version[] }) {
  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      {props.versions.length === 0 ? (
        <p class="muted">No versions yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Versions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">Status</th>
                <th scope="col">Platforms</th>
                <th scope="col">Created</th>
                <th scope="col">Author</th>
              </tr>
            </thead>
            <tbody>
              {props.versions.map((v) => (
                <tr key={v.fingerprint}>
                  <th scope="row">
                    <a href={versionHref(props.scope, v.bucket_name, v.fingerprint)}>
                      {nameOr(v.name, 'incomplete')}
                    </a>
                  </th>
                  <td>
                    <code>{v.fingerprint}</code>
                  </td>
                  <td>
                    <VersionStatusBadge version={v} />
                    {v.revocation_message && <div class="small">{v.revocation_message}</div>}
                  </td>
                  <td>{[...new Set(v.builds.map((b) => b.platform))].join(', ')}</td>
                  <td>
                    <Time iso={v.created_at} />
                  </td>
                  <td>
                    <code>{v.author_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
