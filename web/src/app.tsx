import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, onApiActivity, onSessionEnded, setCsrfToken } from './api/client';
import { Layout } from './components/layout';
import { IdleTimer } from './idle-timer';
import { ChangePasswordPage } from './pages/change-password-page';
import { SignInPage } from './pages/sign-in-page';
import { routeFor } from './routes';
import { href, navigate, useLocation } from './router';
import { SessionContext, type SessionValue, type SignedIn } from './session';

type State =
  | { kind: 'loading' }
  | { kind: 'signed-out'; message: string | null }
  | { kind: 'signed-in'; user: SignedIn };

const SIGN_IN = '/sign-in';
const CHANGE_PASSWORD = '/change-password';

/** Where to go after sign-in: the URL asked for while signed out, never another origin. */
function nextFrom(query: URLSearchParams): string {
  const next = query.get('next');
  return next !== null && next.startsWith('/') && !next.startsWith('//') && !next.startsWith(SIGN_IN) ? next : '/dashboard';
}

export function App() {
  const location = useLocation();
  const [state, setState] = useState<State>({ kind: 'loading' });

  // Set while a session is being ended on purpose: what requests still in flight find then (the session gone)
  // must not replace the reason the user is told.
  const ending = useRef(false);
  const idle = useMemo(() => new IdleTimer((minutes) => {
    ending.current = true;
    // Delete the session while the CSRF token is still set, then tell why.
    void api.DELETE('/backend/api/v1/session').finally(() => {
      endSession(`Your session ended after ${minutes} minutes without activity. Sign in again.`);
    });
  }), []);

  function endSession(message: string | null): void {
    ending.current = true;
    idle.stop();
    setCsrfToken(null);
    setState({ kind: 'signed-out', message });
    // Several requests may find the session gone at once; the first one decides where to come back to.
    if (window.location.pathname === SIGN_IN) return;
    const here = window.location.pathname + window.location.search;
    const back = here === '/' || here.startsWith(SIGN_IN) || here.startsWith(CHANGE_PASSWORD) ? null : here;
    navigate(href(SIGN_IN, { next: back }), { replace: true });
  }

  function signedIn(user: SignedIn, csrfToken: string | null, idleExpiresAt: string | null): void {
    ending.current = false;
    setCsrfToken(csrfToken);
    idle.start(idleExpiresAt);
    setState({ kind: 'signed-in', user });
  }

  useEffect(() => {
    onApiActivity(() => idle.touch());
    onSessionEnded((reason) => {
      if (!ending.current) endSession(`Your session has ended (${reason}).`);
    });
    void (async () => {
      const { data } = await api.GET('/backend/api/v1/session');
      if (data?.user) signedIn(toSignedIn(data.user), data.csrfToken, data.idleExpiresAt);
      else setState({ kind: 'signed-out', message: null });
    })();
  }, []);

  // Keep the URL in step with the state: sign-in while signed out, the forced password change first.
  useEffect(() => {
    if (state.kind === 'signed-out' && location.path !== SIGN_IN) {
      navigate(href(SIGN_IN, { next: location.path === '/' ? null : location.href }), { replace: true });
    } else if (state.kind === 'signed-in' && state.user.mustChangePassword && location.path !== CHANGE_PASSWORD) {
      navigate(href(CHANGE_PASSWORD, { next: location.path === SIGN_IN ? location.query.get('next') : location.href }), { replace: true });
    } else if (state.kind === 'signed-in' && !state.user.mustChangePassword && (location.path === SIGN_IN || location.path === CHANGE_PASSWORD || location.path === '/')) {
      navigate(nextFrom(location.query), { replace: true });
    }
  }, [state, location.href]);

  if (state.kind === 'loading') return <p class="loading">Loading…</p>;
  if (state.kind === 'signed-out') {
    return (
      <SignInPage
        message={state.message}
        onSignedIn={(result) => signedIn(toSignedIn(result.user), result.csrfToken, result.idleExpiresAt)}
      />
    );
  }
  const session: SessionValue = {
    user: state.user,
    signOut: async () => {
      ending.current = true;
      await api.DELETE('/backend/api/v1/session');
      endSession('You have signed out.');
      navigate(SIGN_IN, { replace: true });
    },
    passwordChanged: () => setState({ kind: 'signed-in', user: { ...state.user, mustChangePassword: false } }),
  };
  if (state.user.mustChangePassword) {
    return <SessionContext.Provider value={session}><ChangePasswordPage /></SessionContext.Provider>;
  }
  const route = routeFor(location.path);
  return (
    <SessionContext.Provider value={session}>
      <Layout location={location}>{route}</Layout>
    </SessionContext.Provider>
  );
}

interface UserBody { username: string; role: SignedIn['role']; mustChangePassword: boolean; accountScope: string[] | null }

function toSignedIn(user: UserBody): SignedIn {
  return { username: user.username, role: user.role, mustChangePassword: user.mustChangePassword, accountScope: user.accountScope };
}
