import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { ApiError, errorMessage, raw } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { useLocation } from '../router';
import { canWrite, useSession } from '../session';
import { ReservationWizard } from './reservation-wizard';

/** A reservation as DESIGN §9.3 lists it. */
export interface Reservation {
  productInstanceId: string;
  reservationCode: string;
  reservationType: 'SPECIFIC' | 'UNIVERSAL';
  status: string;
  licenses: { entitlementTag: string; quantity: number }[];
  createdAt: string;
  confirmedAt: string | null;
}

export function reservationsPath(account: string, va: string): string {
  return `/backend/api/v1/accounts/${encodeURIComponent(account)}/virtual-accounts/${encodeURIComponent(va)}/reservations`;
}

/** null when the satellite has no reservation API (it answers 404 "no route"). */
async function loadReservations(account: string, va: string): Promise<Reservation[] | null> {
  try {
    const response = await raw('GET', reservationsPath(account, va));
    return ((await response.json()) as { reservations: Reservation[] }).reservations;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.message.startsWith('no route')) return null;
    throw error;
  }
}

/** Reservations (DESIGN §9, §10): the list, the four-step wizard, confirm and return codes. */
export function ReservationsPage() {
  const location = useLocation();
  const { user } = useSession();
  const choice = useAccountChoice(location);
  const { account, va } = choice;
  const list = useLoad(async () => (account && va ? loadReservations(account, va) : []), [account, va]);
  const [wizard, setWizard] = useState(false);
  const writer = canWrite(user.role);
  return (
    <section>
      <h1>Reservations</h1>
      {choice.picker}
      <ErrorAlert message={choice.error ?? list.error} />
      {list.data === null && <p>This satellite does not offer license reservation yet.</p>}
      {list.data !== null && writer && !wizard && <p><button type="button" onClick={() => setWizard(true)}>Reserve licenses</button></p>}
      {wizard && account && va && <ReservationWizard account={account} va={va} onClose={() => { setWizard(false); list.reload(); }} />}
      {list.data && account && va && (
        <table>
          <caption>Reservations in {va}</caption>
          <thead><tr><th scope="col">Product Instance</th><th scope="col">Type</th><th scope="col">Licenses</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={r.productInstanceId}>
                <td><code>{r.reservationCode}</code></td>
                <td>{r.reservationType === 'SPECIFIC' ? 'Specific (SLR)' : 'Universal (PLR)'}</td>
                <td>{r.licenses.map((l) => `${l.quantity} × ${l.entitlementTag}`).join(', ')}</td>
                <td>{r.status}</td>
                <td>{formatTime(r.createdAt)}</td>
                <td>{writer && <CodeAction account={account} va={va} reservation={r} onDone={list.reload} />}</td>
              </tr>
            ))}
            {list.data.length === 0 && <tr><td colSpan={6}>No reservations in this virtual account.</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Enter a confirmation or return code the device produced (DESIGN §9.1). */
function CodeAction(props: { account: string; va: string; reservation: Reservation; onDone: () => void }) {
  const [kind, setKind] = useState<'confirm' | 'return' | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const base = `${reservationsPath(props.account, props.va)}/${encodeURIComponent(props.reservation.productInstanceId)}`;
  if (kind === null) {
    return (
      <span class="row-actions">
        <button type="button" class="small" onClick={() => setKind('confirm')}>Enter confirmation code</button>
        <button type="button" class="small" onClick={() => setKind('return')}>Enter return code</button>
      </span>
    );
  }
  return (
    <form class="inline" onSubmit={async (event) => {
      event.preventDefault();
      try {
        const body = kind === 'confirm' ? { confirmationCode: code.trim() } : { returnCode: code.trim() };
        await raw('POST', `${base}/${kind}`, { body: JSON.stringify(body), contentType: 'application/json' });
        setKind(null);
        props.onDone();
      } catch (failure) {
        setError(errorMessage(failure));
      }
    }}>
      <Field label={kind === 'confirm' ? 'Confirmation code' : 'Return code'}><input required value={code} onInput={(e) => setCode(e.currentTarget.value)} /></Field>
      <button type="submit">{kind === 'confirm' ? 'Confirm' : 'Return'}</button>
      <button type="button" class="secondary" onClick={() => setKind(null)}>Cancel</button>
      <ErrorAlert message={error} />
    </form>
  );
}
