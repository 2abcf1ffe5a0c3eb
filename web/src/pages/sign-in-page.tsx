import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { ErrorAlert } from '../components/error-alert';

export interface SignInResult {
  user: { username: string; role: 'admin' | 'operator' | 'viewer'; mustChangePassword: boolean; accountScope: string[] | null };
  csrfToken: string;
  idleExpiresAt: string;
}

/** Sign-in (DESIGN §10): fields Username and Password, button Sign in; why the last session ended, if it did. */
export function SignInPage(props: { message: string | null; onSignedIn: (result: SignInResult) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in">
      <h1>Sign in</h1>
      <p class="brand">License Satellite</p>
      {props.message && <p role="status" class="notice">{props.message}</p>}
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            props.onSignedIn(await call(api.POST('/backend/api/v1/session', { body: { username, password } })));
          } catch (failure) {
            setError(errorMessage(failure));
            setBusy(false);
          }
        }}
      >
        <Field label="Username"><input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} /></Field>
        <Field label="Password"><input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></Field>
        <ErrorAlert message={error} />
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
