import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { CopyField } from '../components/copy-field';
import { Dialog } from '../components/dialog';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { isAdmin, useSession, type Role } from '../session';

const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

function scopeText(scope: string[] | null): string {
  return scope === null ? 'All accounts' : scope.join(', ');
}

/** "A, B" → ['A', 'B']; empty means every account. */
function parseScope(text: string): string[] | null {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return names.length > 0 ? names : null;
}

/** Users and API clients (DESIGN §3): create, role, account scope, disable; a secret is shown once. */
export function UsersPage() {
  const { user } = useSession();
  const users = useLoad(async () => (await call(api.GET('/backend/api/v1/users'))).users, []);
  const clients = useLoad(async () => (await call(api.GET('/backend/api/v1/api-clients'))).apiClients, []);
  const [secret, setSecret] = useState<{ title: string; label: string; value: string; extra?: string } | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  if (!isAdmin(user.role)) return <section><h1>Users</h1><p>Only admins manage users.</p></section>;
  const patch = async (username: string, body: { role?: Role; disabled?: boolean }) => {
    setRowError(null);
    try {
      await call(api.PATCH('/backend/api/v1/users/{username}', { params: { path: { username } }, body }));
      users.reload();
    } catch (failure) {
      setRowError(errorMessage(failure));
    }
  };
  return (
    <section>
      <h1>Users</h1>
      <ErrorAlert message={users.error} />
      <PrincipalForm kind="user" onCreated={(name, value) => {
        users.reload();
        if (value) setSecret({ title: `Password of ${name}`, label: 'Password', value, extra: 'They must change it at their first sign-in.' });
      }} />
      <ErrorAlert message={rowError} />
      <table>
        <caption>Users of the web UI and the admin API</caption>
        <thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">Accounts</th><th scope="col">Status</th><th scope="col">Last sign-in</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>
                <label class="sr-only" for={`role-${u.id}`}>Role of {u.username}</label>
                <select id={`role-${u.id}`} value={u.role} disabled={u.username === user.username} onChange={(e) => void patch(u.username, { role: e.currentTarget.value as Role })}>
                  {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                </select>
              </td>
              <td>{scopeText(u.accountScope)}</td>
              <td>{u.disabled ? 'Disabled' : u.lockedUntil ? `Locked until ${formatTime(u.lockedUntil)}` : u.mustChangePassword ? 'Must change password' : 'Active'}</td>
              <td>{formatTime(u.lastLoginAt)}</td>
              <td>{u.username !== user.username && (
                <button type="button" class="small" onClick={() => void patch(u.username, { disabled: !u.disabled })}>{u.disabled ? 'Enable' : 'Disable'} {u.username}</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>API clients</h2>
      <p>Monitoring and automation tools get a bearer token with <code>POST /backend/oauth/token</code> and these credentials.</p>
      <ErrorAlert message={clients.error} />
      <PrincipalForm kind="api-client" onCreated={(name, value, clientId) => {
        clients.reload();
        if (value) setSecret({ title: `Secret of ${name}`, label: 'Client secret', value, extra: `Client id: ${clientId ?? ''}` });
      }} />
      <table>
        <caption>API clients</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Client id</th><th scope="col">Role</th><th scope="col">Accounts</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(clients.data ?? []).map((c) => (
            <tr key={c.clientId}>
              <td>{c.name}</td><td><code>{c.clientId}</code></td><td>{c.role}</td><td>{scopeText(c.accountScope)}</td><td>{formatTime(c.lastUsedAt)}</td>
              <td>{c.revokedAt ? `Revoked ${formatTime(c.revokedAt)}` : 'Active'}</td>
              <td>{!c.revokedAt && (
                <button type="button" class="small danger" onClick={async () => {
                  setRowError(null);
                  try {
                    await call(api.DELETE('/backend/api/v1/api-clients/{clientId}', { params: { path: { clientId: c.clientId } } }));
                    clients.reload();
                  } catch (failure) {
                    setRowError(errorMessage(failure));
                  }
                }}>Revoke {c.name}</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {secret && (
        <Dialog title={secret.title} onClose={() => setSecret(null)}>
          <p>Shown only once. {secret.extra}</p>
          <CopyField label={secret.label} value={secret.value} />
          <div class="actions"><button type="button" onClick={() => setSecret(null)}>Done</button></div>
        </Dialog>
      )}
    </section>
  );
}

function PrincipalForm(props: { kind: 'user' | 'api-client'; onCreated: (name: string, secret: string | null, clientId?: string) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [scope, setScope] = useState('');
  const [error, setError] = useState<string | null>(null);
  const isUser = props.kind === 'user';
  return (
    <form class="inline" aria-label={isUser ? 'Create user' : 'Create API client'} onSubmit={async (event) => {
      event.preventDefault();
      setError(null);
      try {
        if (isUser) {
          const body = await call(api.POST('/backend/api/v1/users', { body: { username: name.trim(), role, accountScope: parseScope(scope) } }));
          props.onCreated(body.user.username, body.password);
        } else {
          const body = await call(api.POST('/backend/api/v1/api-clients', { body: { name: name.trim(), role, accountScope: parseScope(scope) } }));
          props.onCreated(body.apiClient.name, body.clientSecret, body.clientId);
        }
        setName('');
        setScope('');
      } catch (failure) {
        setError(errorMessage(failure));
      }
    }}>
      <Field label={isUser ? 'Username' : 'Client name'}><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
      <Field label="Role"><select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</select></Field>
      <Field label="Account scope"><input value={scope} onInput={(e) => setScope(e.currentTarget.value)} placeholder="all accounts; or names, comma-separated" /></Field>
      <button type="submit">{isUser ? 'Create user' : 'Create API client'}</button>
      <ErrorAlert message={error} />
    </form>
  );
}
