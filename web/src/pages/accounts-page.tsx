import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { Dialog } from '../components/dialog';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { navigate, useLocation, withQuery } from '../router';
import { canWrite, isAdmin, useSession } from '../session';

type Editing = { kind: 'account'; name: string } | { kind: 'va'; name: string; description: string } | null;

/** Accounts and their virtual accounts (DESIGN §3): create, rename, delete when empty. */
export function AccountsPage() {
  const location = useLocation();
  const { user } = useSession();
  const accounts = useLoad(async () => (await call(api.GET('/backend/api/v1/accounts'))).accounts, []);
  const selected = location.query.get('account') ?? accounts.data?.[0]?.name ?? null;
  const vas = useLoad(async () => (selected ? (await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts', {
    params: { path: { accountName: selected } },
  }))).virtualAccounts : []), [selected]);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Editing>(null);
  const admin = isAdmin(user.role);
  const writer = canWrite(user.role);
  return (
    <section>
      <h1>Accounts</h1>
      <ErrorAlert message={accounts.error} />
      {admin && <CreateForm label="Account name" button="Create account" onCreate={async (name) => {
        await call(api.POST('/backend/api/v1/accounts', { body: { name } }));
        accounts.reload();
        navigate(withQuery(location, { account: name, va: null }));
      }} />}
      <table>
        <caption>Local accounts</caption>
        <thead><tr><th scope="col">Account</th><th scope="col">Virtual accounts</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(accounts.data ?? []).map((a) => (
            <tr key={a.name} aria-selected={a.name === selected}>
              <td><a href={withQuery(location, { account: a.name, va: null })} onClick={(e) => { e.preventDefault(); navigate(withQuery(location, { account: a.name, va: null })); }}>{a.name}</a></td>
              <td class="num">{a.virtualAccountCount}</td>
              <td>{formatTime(a.createdAt)}</td>
              <td class="row-actions">{admin && (
                <>
                  <button type="button" class="small" onClick={() => setEditing({ kind: 'account', name: a.name })}>Rename {a.name}</button>
                  <button type="button" class="small danger" onClick={() => setDeleting({ kind: 'account', name: a.name })}>Delete {a.name}</button>
                </>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && (
        <>
          <h2>Virtual Accounts</h2>
          <p>Of account <strong>{selected}</strong>.</p>
          <ErrorAlert message={vas.error} />
          {writer && <CreateForm label="Virtual account name" button="Create virtual account" withDescription onCreate={async (name, description) => {
            await call(api.POST('/backend/api/v1/accounts/{accountName}/virtual-accounts', { params: { path: { accountName: selected } }, body: { name, description } }));
            vas.reload();
            accounts.reload();
          }} />}
          <table>
            <caption>Virtual accounts of {selected}</caption>
            <thead><tr><th scope="col">Virtual Account</th><th scope="col">Description</th><th scope="col">Origin</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {(vas.data ?? []).map((v) => (
                <tr key={v.name}>
                  <td>{v.name}</td><td>{v.description}</td><td>{v.origin === 'upstream' ? 'Upstream' : 'Local'}</td><td>{formatTime(v.createdAt)}</td>
                  <td class="row-actions">{writer && (
                    <>
                      <button type="button" class="small" onClick={() => setEditing({ kind: 'va', name: v.name, description: v.description })}>Rename {v.name}</button>
                      <button type="button" class="small danger" onClick={() => setDeleting({ kind: 'va', name: v.name, description: v.description })}>Delete {v.name}</button>
                    </>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {editing && <RenameDialog editing={editing} account={selected} onClose={() => setEditing(null)} onDone={(renamed) => {
        setEditing(null);
        if (editing.kind === 'account') navigate(withQuery(location, { account: renamed }), { replace: true });
        accounts.reload();
        vas.reload();
      }} />}
      {deleting && <DeleteDialog target={deleting} account={selected} onClose={() => setDeleting(null)} onDone={() => {
        setDeleting(null);
        if (deleting.kind === 'account') navigate(withQuery(location, { account: null, va: null }), { replace: true });
        accounts.reload();
        vas.reload();
      }} />}
    </section>
  );
}

function CreateForm(props: { label: string; button: string; withDescription?: boolean; onCreate: (name: string, description: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form class="inline" onSubmit={async (event) => {
      event.preventDefault();
      setError(null);
      try {
        await props.onCreate(name.trim(), description);
        setName('');
        setDescription('');
      } catch (failure) {
        setError(errorMessage(failure));
      }
    }}>
      <Field label={props.label}><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
      {props.withDescription && <Field label="Description"><input value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></Field>}
      <button type="submit">{props.button}</button>
      <ErrorAlert message={error} />
    </form>
  );
}

function RenameDialog(props: { editing: NonNullable<Editing>; account: string | null; onClose: () => void; onDone: (name: string) => void }) {
  const [name, setName] = useState(props.editing.name);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Rename ${props.editing.name}`} onClose={props.onClose}>
      <form onSubmit={async (event) => {
        event.preventDefault();
        try {
          if (props.editing.kind === 'account') {
            await call(api.PATCH('/backend/api/v1/accounts/{accountName}', { params: { path: { accountName: props.editing.name } }, body: { name } }));
          } else if (props.account) {
            await call(api.PATCH('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}', {
              params: { path: { accountName: props.account, virtualAccountName: props.editing.name } }, body: { name },
            }));
          }
          props.onDone(name);
        } catch (failure) {
          setError(errorMessage(failure));
        }
      }}>
        <Field label="New name"><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <ErrorAlert message={error} />
        <div class="actions"><button type="submit">Rename</button><button type="button" class="secondary" onClick={props.onClose}>Cancel</button></div>
      </form>
    </Dialog>
  );
}

function DeleteDialog(props: { target: NonNullable<Editing>; account: string | null; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Delete ${props.target.name}`} onClose={props.onClose}>
      <p>Only an empty {props.target.kind === 'account' ? 'account' : 'virtual account'} can be deleted.</p>
      <ErrorAlert message={error} />
      <div class="actions">
        <button type="button" class="danger" onClick={async () => {
          try {
            if (props.target.kind === 'account') {
              await call(api.DELETE('/backend/api/v1/accounts/{accountName}', { params: { path: { accountName: props.target.name } } }));
            } else if (props.account) {
              await call(api.DELETE('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}', {
                params: { path: { accountName: props.account, virtualAccountName: props.target.name } },
              }));
            }
            props.onDone();
          } catch (failure) {
            setError(errorMessage(failure));
          }
        }}>Delete</button>
        <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
