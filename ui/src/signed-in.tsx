import { useEffect, useMemo, useState } from 'preact/hooks';
import { RegistryApi } from './api/registry-api';
import type { Role } from './api/types';
import { ErrorAlert } from './components/bits';
import { useLoad } from './components/use-load';
import { BucketListPage } from './pages/bucket-list-page';
import { BucketPage } from './pages/bucket-page';
import { VersionPage } from './pages/version-page';
import { bucketsHref, parseRoute } from './router';
import { rememberedScope, rememberScope } from './session';
import type { Session } from './session';

export interface PageProps {
  api: RegistryApi;
  /** The principal's role on the project; undefined while unknown or when it has none. */
  role: Role | undefined;
  /** Tells the user (and screen readers, through a live region) what an action did. */
  notify: (message: string) => void;
}

/** The header, the page of the current route, and the notices of actions. */
export function SignedIn(props: {
  session: Session;
  hash: string;
  onSignOut: (why: string) => void;
}) {
  const { session, onSignOut } = props;
  const route = parseRoute(props.hash, rememberedScope());
  const { organizationId, projectId } = 'scope' in route ? route.scope : rememberedScope();
  const api = useMemo(
    () =>
      new RegistryApi(session.token, { organizationId, projectId }, () =>
        onSignOut('Your session has expired or was revoked; sign in again.'),
      ),
    [session.token, organizationId, projectId, onSignOut],
  );
  const identity = useLoad(`identity ${organizationId}/${projectId}`, () => api.callerIdentity());
  const [notice, setNotice] = useState('');

  useEffect(() => rememberScope({ organizationId, projectId }), [organizationId, projectId]);
  // A notice is about the page it was given on.
  useEffect(() => setNotice(''), [props.hash]);

  const role = identity.data?.role;
  const page: PageProps = { api, role, notify: setNotice };
  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={bucketsHref(api.scope)}>
          Ingot registry
        </a>
        <span class="scope" title="organization / project">
          {organizationId} / {projectId}
        </span>
        <span class="who">
          {identity.data ? (
            <>
              Signed in as <strong>{identity.data.principal.name}</strong>{' '}
              <span class="role">{role ?? 'no role here'}</span>
            </>
          ) : (
            session.clientId
          )}
        </span>
        <button type="button" onClick={() => onSignOut('You have signed out.')}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorAlert error={identity.error} />
        {identity.data && !role && (
          <p role="alert" class="error">
            Principal “{identity.data.principal.name}” ({identity.data.principal.client_id}) has no
            role on organization “{organizationId}”, project “{projectId}”. Open another project, or
            ask an admin for a role here.
          </p>
        )}
        <div role="status" class="notices">
          {notice && (
            <div class="notice">
              <p>{notice}</p>
              <button type="button" onClick={() => setNotice('')}>
                Dismiss
              </button>
            </div>
          )}
        </div>
        {/* Keyed by the route: another page starts afresh, with no dialog of the last one open. */}
        {route.page === 'buckets' && <BucketListPage key={props.hash} {...page} />}
        {route.page === 'bucket' && <BucketPage key={props.hash} {...page} bucket={route.bucket} />}
        {route.page === 'version' && (
          <VersionPage
            key={props.hash}
            {...page}
            bucket={route.bucket}
            fingerprint={route.fingerprint}
          />
        )}
        {route.page === 'not-found' && (
          <>
            <h1>Page not found</h1>
            <p>
              There is no page at “{route.path}”.{' '}
              <a href={bucketsHref(api.scope)}>See the buckets</a>.
            </p>
          </>
        )}
      </main>
    </>
  );
}

/** The fragment is the router's: move focus to the content without navigating. */
function skipToMain(event: MouseEvent) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
