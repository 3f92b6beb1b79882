import type { Scope } from '../api/registry-api';
import type { Version } from '../api/types';
import { Time } from '../components/bits';
import { versionHref } from '../router';

/** When, why and by whom a version is (or will be) revoked, and whence it inherited that. */
export function RevocationDetails({ scope, version }: { scope: Scope; version: Version }) {
  const scheduled = version.status === 'VERSION_REVOCATION_SCHEDULED';
  const source = version.revocation_inherited_from;
  return (
    <section aria-labelledby="revocation-heading" class={`card ${scheduled ? 'warn' : 'bad'}`}>
      <h2 id="revocation-heading">{scheduled ? 'Revocation scheduled' : 'Revoked'}</h2>
      <dl class="facts">
        <dt>{scheduled ? 'Takes effect' : 'Since'}</dt>
        <dd>
          <Time iso={version.revoke_at as string} />
        </dd>
        <dt>Reason</dt>
        <dd>{version.revocation_message || <span class="muted">none given</span>}</dd>
        <dt>By</dt>
        <dd>
          <code>{version.revocation_author}</code>
        </dd>
        {source && (
          <>
            <dt>Inherited from</dt>
            <dd>
              <a href={versionHref(scope, source.bucket_name, source.version_fingerprint)}>
                {source.bucket_name}/{source.version_name || source.version_fingerprint}
              </a>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
