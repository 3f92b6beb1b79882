import { useCallback, useState } from 'preact/hooks';
import type { Scope } from './api/registry-api';
import { SignInPage } from './pages/sign-in-page';
import { bucketsHref, parseRoute, useHash } from './router';
import { clearSession, loadSession, rememberedScope, rememberScope, saveSession } from './session';
import type { Session } from './session';
import { SignedIn } from './signed-in';

const sameScope = (a: Scope, b: Scope) =>
  a.organizationId === b.organizationId && a.projectId === b.projectId;

/** Signed in (a token in this tab) or not; the rest of the UI lives in SignedIn. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState('');
  const hash = useHash();

  const signOut = useCallback((why: string) => {
    clearSession();
    setNotice(why);
    setSession(null);
  }, []);

  if (!session) {
    const route = parseRoute(hash, rememberedScope());
    const linked = 'scope' in route ? route.scope : null;
    return (
      <SignInPage
        notice={notice}
        scope={linked ?? rememberedScope()}
        onSignedIn={(signedIn: Session, scope: Scope) => {
          saveSession(signedIn);
          rememberScope(scope);
          setNotice('');
          setSession(signedIn);
          // A deep link the user came with stays; another project opens its bucket list.
          if (!linked || !sameScope(linked, scope)) location.hash = bucketsHref(scope);
        }}
      />
    );
  }
  return <SignedIn session={session} hash={hash} onSignOut={signOut} />;
}
