import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import type { paths } from '../api/schema';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { useLocation } from '../router';
import { canWrite, isAdmin, useSession } from '../session';
import { ReservationActions } from './reservation-actions';
import { ReservationWizard } from './reservation-wizard';

const LIST = '/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/reservations' as const;
/** A reservation as the API lists it (docs/reservations.md). */
export type Reservation = paths[typeof LIST]['get']['responses'][200]['content']['application/json']['reservations'][number];

async function loadReservations(account: string, va: string): Promise<Reservation[]> {
  return (await call(api.GET(LIST, { params: { path: { accountName: account, virtualAccountName: va } } }))).reservations;
}

async function reservationEnabled(account: string): Promise<boolean> {
  return (await call(api.GET('/backend/api/v1/accounts/{accountName}', { params: { path: { accountName: account } } }))).account.reservationEnabled;
}

/** Reservations (DESIGN §9, §10): the list, the four-step wizard, then update, confirm and return. */
export function ReservationsPage() {
  const location = useLocation();
  const { user } = useSession();
  const choice = useAccountChoice(location);
  const { account, va } = choice;
  const enabled = useLoad(async () => (account ? reservationEnabled(account) : null), [account]);
  const list = useLoad(async () => (account && va ? loadReservations(account, va) : []), [account, va]);
  const [wizard, setWizard] = useState(false);
  const [enableError, setEnableError] = useState<string | null>(null);
  const writer = canWrite(user.role);
  const names = useLoad(async () => (account && va ? poolNames(account, va) : new Map<string, string>()), [account, va, list.data]);
  const licenseName = (tag: string) => names.data?.get(tag) ?? tag;
  return (
    <section>
      <h1>Reservations</h1>
      {choice.picker}
      <ErrorAlert message={choice.error ?? enabled.error ?? list.error} />
      {enabled.data === false && (
        <div class="notice">
          <p>License reservation is not enabled for {account}.</p>
          {isAdmin(user.role) && account && (
            <button type="button" onClick={async () => {
              setEnableError(null);
              try {
                await call(api.PATCH('/backend/api/v1/accounts/{accountName}', { params: { path: { accountName: account } }, body: { reservationEnabled: true } }));
                enabled.reload();
              } catch (failure) {
                setEnableError(errorMessage(failure));
              }
            }}>Enable reservation</button>
          )}
          <ErrorAlert message={enableError} />
        </div>
      )}
      {enabled.data === true && writer && !wizard && <p><button type="button" onClick={() => setWizard(true)}>Reserve licenses</button></p>}
      {wizard && account && va && <ReservationWizard account={account} va={va} onClose={() => { setWizard(false); list.reload(); }} />}
      {list.data && account && va && (
        <table>
          <caption>Reservations in {va}</caption>
          <thead><tr><th scope="col">Product Instance</th><th scope="col">Type</th><th scope="col">Licenses</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={r.productInstanceId}>
                <td>{r.udi.pid}:{r.udi.serialNumber}<br /><code>{r.productInstanceId}</code></td>
                <td>{r.reservationType === 'SPECIFIC' ? 'Specific (SLR)' : 'Universal (PLR)'}</td>
                <td>{r.licenses.map((l) => `${l.quantity}${l.pendingQuantity !== null ? ` (pending ${l.pendingQuantity})` : ''} × ${licenseName(l.entitlementTag)}`).join(', ')}</td>
                <td>{r.status === 'IN_TRANSIT' ? 'In transit' : r.confirmedAt ? 'Reserved' : 'Reserved, not confirmed'}</td>
                <td>{formatTime(r.createdAt)}</td>
                <td>{writer && <ReservationActions account={account} va={va} reservation={r} licenseName={licenseName} onDone={list.reload} />}</td>
              </tr>
            ))}
            {list.data.length === 0 && <tr><td colSpan={6}>No reservations in this virtual account.</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}

async function poolNames(account: string, va: string): Promise<Map<string, string>> {
  const body = await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/licenses', {
    params: { path: { accountName: account, virtualAccountName: va } },
  }));
  return new Map(body.licenses.map((l) => [l.tag, l.license]));
}
