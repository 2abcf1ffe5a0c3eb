import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { CopyField } from '../components/copy-field';
import { Dialog } from '../components/dialog';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatDate, formatTime } from '../format';
import { useLocation } from '../router';
import { canWrite, useSession } from '../session';

interface TokenRow { id: string; description: string; created: string; expirationDate: string; exportControlled: string; maxUses: number | null; uses: number; status: string }

/** Tokens (DESIGN §10): create with expiry, max uses and export control; the secret shown once; revoke. */
export function TokensPage() {
  const location = useLocation();
  const { user } = useSession();
  const choice = useAccountChoice(location);
  const { account, va } = choice;
  const tokens = useLoad(async () => (account && va ? (await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/tokens', {
    params: { path: { accountName: account, virtualAccountName: va } },
  }))).tokens : []), [account, va]);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenRow | null>(null);
  const writer = canWrite(user.role);
  return (
    <section>
      <h1>Tokens</h1>
      {choice.picker}
      {writer && <p><button type="button" onClick={() => setCreating(true)} disabled={!va}>Create token</button></p>}
      <ErrorAlert message={choice.error ?? tokens.error} />
      <table>
        <caption>Registration tokens of {va ?? '…'}</caption>
        <thead>
          <tr>
            <th scope="col">Description</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Uses</th>
            <th scope="col">Export-Controlled</th><th scope="col">Status</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((token) => (
            <tr key={token.id}>
              <td>{token.description || '(no description)'}</td>
              <td>{formatTime(token.created)}</td>
              <td>{formatDate(token.expirationDate)}</td>
              <td class="num">{token.maxUses === null ? token.uses : `${token.uses} of ${token.maxUses}`}</td>
              <td>{token.exportControlled}</td>
              <td>{token.status}</td>
              <td>{writer && token.status === 'ACTIVE' && (
                <button type="button" class="small danger" onClick={() => setRevoking(token)}>Revoke {token.description}</button>
              )}</td>
            </tr>
          ))}
          {tokens.data?.length === 0 && <tr><td colSpan={7}>No tokens yet.</td></tr>}
        </tbody>
      </table>
      {creating && account && va && (
        <CreateTokenDialog account={account} va={va} onClose={() => { setCreating(false); tokens.reload(); }} />
      )}
      {revoking && account && va && (
        <Dialog title={`Revoke ${revoking.description}`} onClose={() => setRevoking(null)}>
          <RevokeToken account={account} va={va} token={revoking} onDone={() => { setRevoking(null); tokens.reload(); }} onCancel={() => setRevoking(null)} />
        </Dialog>
      )}
    </section>
  );
}

function RevokeToken(props: { account: string; va: string; token: TokenRow; onDone: () => void; onCancel: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <p>Devices can no longer register with this token. Devices already registered with it are not affected.</p>
      <ErrorAlert message={error} />
      <div class="actions">
        <button type="button" class="danger" onClick={async () => {
          try {
            await call(api.DELETE('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/tokens/{tokenId}', {
              params: { path: { accountName: props.account, virtualAccountName: props.va, tokenId: props.token.id } },
            }));
            props.onDone();
          } catch (failure) {
            setError(errorMessage(failure));
          }
        }}>Revoke</button>
        <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>
      </div>
    </>
  );
}

function CreateTokenDialog(props: { account: string; va: string; onClose: () => void }) {
  const [description, setDescription] = useState('');
  const [days, setDays] = useState('30');
  const [maxUses, setMaxUses] = useState('');
  const [exportControlled, setExportControlled] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Dialog title="Create token" onClose={props.onClose}>
      {secret === null ? (
        <form onSubmit={async (event) => {
          event.preventDefault();
          try {
            const body = await call(api.POST('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/tokens', {
              params: { path: { accountName: props.account, virtualAccountName: props.va } },
              body: { description, expiresAfterDays: days, exportControlled: exportControlled ? 'Allowed' : 'Not Allowed', maxUses: maxUses === '' ? null : maxUses },
            }));
            setSecret(body.tokenInfo.token);
          } catch (failure) {
            setError(errorMessage(failure));
          }
        }}>
          <Field label="Description"><input value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></Field>
          <Field label="Expires after (days)"><input type="number" min={1} max={365} required value={days} onInput={(e) => setDays(e.currentTarget.value)} /></Field>
          <Field label="Max uses"><input type="number" min={1} value={maxUses} onInput={(e) => setMaxUses(e.currentTarget.value)} placeholder="unlimited" /></Field>
          <label class="check"><input type="checkbox" checked={exportControlled} onChange={(e) => setExportControlled(e.currentTarget.checked)} /> Allow export-controlled functionality</label>
          <ErrorAlert message={error} />
          <div class="actions">
            <button type="submit">Create</button>
            <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
          </div>
        </form>
      ) : (
        <>
          <p>Copy the token now: it is shown only once. Devices register with it (<code>license smart register idtoken …</code>).</p>
          <CopyField label="Token" value={secret} />
          <div class="actions"><button type="button" onClick={props.onClose}>Done</button></div>
        </>
      )}
    </Dialog>
  );
}
