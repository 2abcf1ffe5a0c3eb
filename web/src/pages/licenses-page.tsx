import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { Dialog } from '../components/dialog';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { inUseText, signed, stateName, substitutionText } from '../format';
import { href, Link, useLocation } from '../router';
import { canWrite, useSession } from '../session';

/** A pool row as the API gives it today, plus the licensing engine's `substitution` when present. */
export interface PoolRow {
  license: string;
  tag: string;
  purchased: number;
  inUse: number;
  reserved: number;
  balance: number;
  status: string;
  substitution?: number;
  lines: { quantity: number; type: string; start: string; end: string | null; active: boolean; origin: string }[];
}

export interface AccountAlert { messageType: string; severity: string; source: string; message: string; createdAt: string }

export async function loadPools(account: string, va: string): Promise<PoolRow[]> {
  const body = await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/licenses', {
    params: { path: { accountName: account, virtualAccountName: va } },
  }));
  return body.licenses;
}

export async function loadAlerts(account: string): Promise<AccountAlert[]> {
  return (await call(api.GET('/backend/api/v1/accounts/{accountName}/alerts', { params: { path: { accountName: account }, query: { limit: -1 } } }))).alerts;
}

const BILLING: Record<string, string> = { PERPETUAL: 'Perpetual', TERM: 'Term', SUBSCRIPTION: 'Subscription' };

/** What the seeds' Billing column says; every purchase reaching a satellite is prepaid, by type of line. */
function billing(row: PoolRow): string {
  const types = [...new Set(row.lines.filter((l) => l.active).map((l) => BILLING[l.type] ?? l.type))];
  return types.length > 0 ? `Prepaid (${types.join(', ')})` : 'Prepaid';
}

/** Licenses (DESIGN §10): the seeds' columns per VA, a detail link per license, transfer between VAs. */
export function LicensesPage() {
  const location = useLocation();
  const { user } = useSession();
  const choice = useAccountChoice(location);
  const { account, va } = choice;
  const pools = useLoad(async () => (account && va ? loadPools(account, va) : []), [account, va]);
  const alerts = useLoad(async () => (account ? loadAlerts(account) : []), [account]);
  const [transfer, setTransfer] = useState<PoolRow | null>(null);
  const alertsFor = (row: PoolRow) => (alerts.data ?? []).filter((a) => a.source === va && (a.message.includes(`for ${row.license} `) || a.message.includes(row.tag)));
  return (
    <section>
      <h1>Licenses</h1>
      {choice.picker}
      <ErrorAlert message={choice.error ?? pools.error} />
      {account && <p><a href={`/backend/api/v1/accounts/${encodeURIComponent(account)}/licenses/export.csv`} download>Export licenses as CSV</a></p>}
      <table>
        <caption>Licenses of {va ?? '…'}</caption>
        <thead>
          <tr>
            <th scope="col">License</th><th scope="col">Billing</th><th scope="col">Purchased</th><th scope="col">In Use</th>
            <th scope="col">Substitution</th><th scope="col">Balance</th><th scope="col">Alerts</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(pools.data ?? []).map((row) => {
            const rowAlerts = alertsFor(row);
            return (
              <tr key={row.tag}>
                <td><Link href={href(`/licenses/${encodeURIComponent(row.tag)}`, { account, va })}>{row.license}</Link></td>
                <td>{billing(row)}</td>
                <td class="num">{row.purchased}</td>
                <td class="num">{inUseText(row.inUse, row.reserved)}</td>
                <td>{substitutionText(row.substitution)}</td>
                <td class={row.balance < 0 ? 'num short' : 'num'}>{signed(row.balance)}</td>
                <td>
                  {row.status === 'Out of Compliance' && <span class="badge major">{row.status}</span>}
                  {rowAlerts.map((a) => <span key={a.messageType + a.createdAt} class={`badge ${a.severity.toLowerCase()}`}>{stateName(a.messageType)}</span>)}
                </td>
                <td>
                  {canWrite(user.role) && choice.vas.length > 1 && (
                    <button type="button" class="small" onClick={() => setTransfer(row)}>Transfer {row.license}</button>
                  )}
                </td>
              </tr>
            );
          })}
          {pools.data?.length === 0 && <tr><td colSpan={8}>No licenses in this virtual account.</td></tr>}
        </tbody>
      </table>
      {transfer && account && va && (
        <TransferLicensesDialog
          account={account} from={va} row={transfer} vas={choice.vas.filter((name) => name !== va)}
          onClose={() => setTransfer(null)} onDone={() => { setTransfer(null); pools.reload(); alerts.reload(); }}
        />
      )}
    </section>
  );
}

function TransferLicensesDialog(props: { account: string; from: string; row: PoolRow; vas: string[]; onClose: () => void; onDone: () => void }) {
  const [to, setTo] = useState(props.vas[0] ?? '');
  const [quantity, setQuantity] = useState('1');
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Transfer ${props.row.license}`} onClose={props.onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          try {
            await call(api.POST('/backend/api/v1/accounts/{accountName}/license-transfers', {
              params: { path: { accountName: props.account } }, body: { from: props.from, to, tag: props.row.tag, quantity },
            }));
            props.onDone();
          } catch (failure) {
            setError(errorMessage(failure));
          }
        }}
      >
        <p>From {props.from}: {props.row.purchased} purchased, balance {signed(props.row.balance)}.</p>
        <Field label="To virtual account"><select value={to} onChange={(e) => setTo(e.currentTarget.value)}>{props.vas.map((name) => <option key={name} value={name}>{name}</option>)}</select></Field>
        <Field label="Quantity"><input type="number" min={1} required value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} /></Field>
        <ErrorAlert message={error} />
        <div class="actions">
          <button type="submit">Transfer</button>
          <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
