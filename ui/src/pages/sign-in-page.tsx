import { useEffect, useState } from 'preact/hooks';
import type { Scope } from '../api/registry-api';
import { requestToken } from '../api/token';
import { ErrorAlert } from '../components/bits';
import { SCOPE_ID_PATTERN, type Session } from '../session';

/** Client id and secret of a principal (the admin's are in the credentials file). */
export function SignInPage(props: {
  notice: string;
  scope: Scope;
  onSignedIn: (session: Session, scope: Scope) => void;
}) {
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [organizationId, setOrganizationId] = useState(props.scope.organizationId);
  const [projectId, setProjectId] = useState(props.scope.projectId);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · Ingot registry';
  }, []);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const token = await requestToken(clientId.trim(), clientSecret);
      props.onSignedIn(
        { token: token.accessToken, expiresAt: token.expiresAt, clientId: clientId.trim() },
        { organizationId: organizationId.trim(), projectId: projectId.trim() },
      );
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Ingot image registry</h1>
      <p class="muted">
        Sign in with a principal’s client id and secret. After <code>npm start</code>, the admin’s
        are in <code>.ingot/admin-credentials.json</code>.
      </p>
      {props.notice && (
        <p role="status" class="notice">
          {props.notice}
        </p>
      )}
      <form
        class="card stack"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label>
          Client ID
          <input
            name="client_id"
            required
            autoComplete="username"
            spellcheck={false}
            value={clientId}
            onInput={(e) => setClientId(e.currentTarget.value)}
          />
        </label>
        <label>
          Client secret
          <input
            name="client_secret"
            type="password"
            required
            autoComplete="current-password"
            value={clientSecret}
            onInput={(e) => setClientSecret(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <legend>Project to open</legend>
          <div class="row">
            <label>
              Organization
              <input
                name="organization_id"
                required
                pattern={SCOPE_ID_PATTERN}
                value={organizationId}
                onInput={(e) => setOrganizationId(e.currentTarget.value)}
              />
            </label>
            <label>
              Project
              <input
                name="project_id"
                required
                pattern={SCOPE_ID_PATTERN}
                value={projectId}
                onInput={(e) => setProjectId(e.currentTarget.value)}
              />
            </label>
          </div>
        </fieldset>
        <ErrorAlert error={error} />
        <div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p class="muted small">The token is kept in this browser tab only and ends with it.</p>
    </main>
  );
}
