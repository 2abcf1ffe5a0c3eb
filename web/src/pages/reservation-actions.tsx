import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { CopyField } from '../components/copy-field';
import { ErrorAlert } from '../components/error-alert';
import { Field } from '../components/field';
import { useLoad } from '../components/use-load';
import { loadPools } from './licenses-page';
import { QuantityTable } from './reservation-wizard';
import type { Reservation } from './reservations-page';

const ONE = '/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/reservations/{productInstanceId}' as const;
type Mode = 'confirm' | 'return' | 'update' | null;

/** A reservation's next steps (DESIGN §9.1): the device's confirmation or return code, or an update (SLR). */
export function ReservationActions(props: {
  account: string; va: string; reservation: Reservation; licenseName: (tag: string) => string; onDone: () => void;
}) {
  const [mode, setMode] = useState<Mode>(null);
  const path = { accountName: props.account, virtualAccountName: props.va, productInstanceId: props.reservation.productInstanceId };
  const done = () => { setMode(null); props.onDone(); };
  if (mode === 'update') return <UpdateForm {...props} path={path} onCancel={() => setMode(null)} onDone={done} />;
  if (mode === 'confirm' || mode === 'return') return <CodeForm kind={mode} path={path} onCancel={() => setMode(null)} onDone={done} />;
  return (
    <span class="row-actions">
      {/* A confirmed code needs nothing more from the device until the next update. */}
      {(props.reservation.status === 'IN_TRANSIT' || props.reservation.confirmedAt === null) &&
        <button type="button" class="small" onClick={() => setMode('confirm')}>Enter confirmation code</button>}
      {props.reservation.reservationType === 'SPECIFIC' && <button type="button" class="small" onClick={() => setMode('update')}>Update</button>}
      <button type="button" class="small" onClick={() => setMode('return')}>Enter return code</button>
    </span>
  );
}

type OnePath = { accountName: string; virtualAccountName: string; productInstanceId: string };

function CodeForm(props: { kind: 'confirm' | 'return'; path: OnePath; onCancel: () => void; onDone: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const confirm = props.kind === 'confirm';
  return (
    <form class="inline" onSubmit={async (event) => {
      event.preventDefault();
      setError(null);
      try {
        if (confirm) await call(api.POST(`${ONE}/confirm`, { params: { path: props.path }, body: { confirmationCode: code.trim() } }));
        else await call(api.POST(`${ONE}/return`, { params: { path: props.path }, body: { returnCode: code.trim() } }));
        props.onDone();
      } catch (failure) {
        setError(errorMessage(failure));
      }
    }}>
      <Field label={confirm ? 'Confirmation code' : 'Return code'}><input required value={code} onInput={(e) => setCode(e.currentTarget.value)} /></Field>
      <button type="submit">{confirm ? 'Confirm' : 'Return'}</button>
      <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>
      <ErrorAlert message={error} />
    </form>
  );
}

/** New counts for an SLR: the API answers a new authorization code; the reservation is in transit until confirmed. */
function UpdateForm(props: { account: string; va: string; reservation: Reservation; path: OnePath; onCancel: () => void; onDone: () => void }) {
  const held = Object.fromEntries(props.reservation.licenses.map((l) => [l.entitlementTag, l.reserved]));
  const [quantities, setQuantities] = useState<Record<string, number>>(Object.fromEntries(props.reservation.licenses.map((l) => [l.entitlementTag, l.pendingQuantity ?? l.quantity])));
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const pools = useLoad(() => loadPools(props.account, props.va), [props.account, props.va]);
  if (code !== null) {
    return (
      <div class="inline">
        <CopyField label="Authorization code" value={code} multiline download="authorization-code.txt" />
        <button type="button" class="secondary" onClick={props.onDone}>Done</button>
      </div>
    );
  }
  return (
    <form class="inline" onSubmit={async (event) => {
      event.preventDefault();
      setError(null);
      try {
        const licenses = Object.entries(quantities).filter(([, q]) => q > 0).map(([entitlementTag, quantity]) => ({ entitlementTag, quantity }));
        const body = await call(api.PUT(ONE, { params: { path: props.path }, body: { licenses } }));
        setCode(body.authorizationCodes[0]?.authorizationCode ?? '');
      } catch (failure) {
        setError(errorMessage(failure));
      }
    }}>
      <QuantityTable caption={`New counts for ${props.reservation.udi.pid}:${props.reservation.udi.serialNumber}`} pools={pools.data ?? []} held={held} quantities={quantities} onChange={setQuantities} />
      <button type="submit">Update reservation</button>
      <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>
      <ErrorAlert message={error ?? pools.error} />
    </form>
  );
}
