import type { Scope } from '../api/registry-api';
import type { Version, VersionRef } from '../api/types';
import { versionHref } from '../router';
import { VersionStatusBadge } from './status';

/** "v2 (01JD…)" linking to the version, with its status unless told otherwise. */
export function VersionLink(props: { scope: Scope; version?: Version; status?: boolean }) {
  const { version } = props;
  if (!version) return <span class="muted">no version</span>;
  return (
    <>
      <a href={versionHref(props.scope, version.bucket_name, version.fingerprint)}>
        {version.name}
      </a>{' '}
      <code class="muted">{version.fingerprint}</code>
      {props.status !== false && (
        <>
          {' '}
          <VersionStatusBadge version={version} />
        </>
      )}
    </>
  );
}

/** "bucket/v2" linking to a version named in an ancestry relation. */
export function VersionRefLink(props: { scope: Scope; version: VersionRef }) {
  const v = props.version;
  return (
    <a href={versionHref(props.scope, v.bucket_name, v.version_fingerprint)}>
      {v.bucket_name}/{v.version_name || v.version_fingerprint}
    </a>
  );
}
