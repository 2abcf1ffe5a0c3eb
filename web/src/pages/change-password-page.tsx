import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { ErrorAlert } from '../components/error-alert';
import { useSession } from '../session';

/** The forced first password change (DESIGN §10): the one-time password is replaced before anything else. */
export function ChangePasswordPage() {
  const { user, passwordChanged, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main class="sign-in">
      <h1>Change password</h1>
      <p>{user.username}, your password was set for one use only. Choose your own to continue.</p>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          if (next !== confirm) {
            setError('The new password and its confirmation differ.');
            return;
          }
          try {
            await call(api.PUT('/backend/api/v1/users/{username}/password', {
              params: { path: { username: user.username } }, body: { currentPassword: current, newPassword: next },
            }));
            passwordChanged();
          } catch (failure) {
            setError(errorMessage(failure));
          }
        }}
      >
        <Field label="Current password"><input type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} /></Field>
        <Field label="New password"><input type="password" autocomplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} /></Field>
        <Field label="Confirm new password"><input type="password" autocomplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} /></Field>
        <ErrorAlert message={error} />
        <button type="submit">Change password</button>
        <button type="button" class="secondary" onClick={() => void signOut()}>Sign out</button>
      </form>
    </main>
  );
}
