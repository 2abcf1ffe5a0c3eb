import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { CopyField } from '../components/copy-field';
import { ErrorAlert } from '../components/error-alert';
import { Field } from '../components/field';
import { useLoad } from '../components/use-load';
import { signed } from '../format';
import { loadPools } from './licenses-page';

const STEPS = ['Enter Request Code', 'Select Licenses', 'Review and confirm', 'Authorization Code'] as const;

/** The seeds' four-step reservation wizard (DESIGN §9.3): request code → licenses → review → authorization code. */
export function ReservationWizard(props: { account: string; va: string; onClose: () => void }) {
  const [step, setStep] = useState(0);
  const [code, setCode] = useState('');
  const [type, setType] = useState<'SPECIFIC' | 'UNIVERSAL'>('SPECIFIC');
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const [authorization, setAuthorization] = useState<string | null>(null);
  const pools = useLoad(() => loadPools(props.account, props.va), [props.account, props.va]);
  const chosen = (pools.data ?? []).filter((p) => (quantities[p.tag] ?? 0) > 0);
  const name = STEPS[step] ?? '';
  const reserve = async () => {
    setError(null);
    try {
      const body = await call(api.POST('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/reservations', {
        params: { path: { accountName: props.account, virtualAccountName: props.va } },
        body: { reservationRequests: [{
          reservationCode: code.trim(), reservationType: type,
          licenses: chosen.map((p) => ({ entitlementTag: p.tag, quantity: quantities[p.tag] ?? 0 })),
        }] },
      }));
      setAuthorization(body.authorizationCodes[0]?.authorizationCode ?? '');
      setStep(3);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <section class="wizard" aria-label="Reserve licenses">
      <ol class="steps">{STEPS.map((s, i) => <li key={s} aria-current={i === step ? 'step' : undefined}>{s}</li>)}</ol>
      <h2>{name}</h2>
      {step === 0 && (
        <>
          <Field label="Request code"><textarea rows={3} value={code} onInput={(e) => setCode(e.currentTarget.value)} placeholder="CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-86" /></Field>
          <Field label="Request code file"><input type="file" accept=".txt,text/plain" onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            if (file) setCode((await file.text()).trim());
          }} /></Field>
          <Field label="Reservation type"><select value={type} onChange={(e) => setType(e.currentTarget.value === 'UNIVERSAL' ? 'UNIVERSAL' : 'SPECIFIC')}>
            <option value="SPECIFIC">Specific License Reservation (SLR)</option>
            <option value="UNIVERSAL">Permanent License Reservation (PLR)</option>
          </select></Field>
        </>
      )}
      {step === 1 && (
        <QuantityTable caption={`Licenses of ${props.va} with a balance to reserve from`} pools={pools.data ?? []} quantities={quantities} onChange={setQuantities} />
      )}
      {step === 2 && (
        <>
          <p>Request code <code>{code.trim()}</code>, {type === 'SPECIFIC' ? 'specific' : 'universal'} reservation of:</p>
          <ul>{chosen.map((p) => <li key={p.tag}>{quantities[p.tag]} × {p.license}</li>)}</ul>
          <button type="button" onClick={() => void reserve()}>Reserve</button>
        </>
      )}
      {step === 3 && authorization !== null && (
        <>
          <p>Install this code on the device, then enter the confirmation code it prints with <strong>Enter confirmation code</strong> in the list below.</p>
          <CopyField label="Authorization code" value={authorization} multiline download="authorization-code.txt" />
        </>
      )}
      <ErrorAlert message={error ?? pools.error} />
      <div class="actions">
        {step > 0 && step < 3 && <button type="button" class="secondary" onClick={() => setStep(step - 1)}>Back</button>}
        {step < 2 && <button type="button" disabled={step === 0 ? code.trim() === '' : chosen.length === 0} onClick={() => setStep(step + 1)}>Next</button>}
        <button type="button" class="secondary" onClick={props.onClose}>{step === 3 ? 'Done' : 'Cancel'}</button>
      </div>
    </section>
  );
}

/** One spinbutton `Quantity` per license, bounded by what can be reserved (the API checks it again). */
export function QuantityTable(props: {
  caption: string; pools: { tag: string; license: string; balance: number }[];
  quantities: Record<string, number>; onChange: (next: Record<string, number>) => void; held?: Record<string, number>;
}) {
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead><tr><th scope="col">License</th><th scope="col">Available</th><th scope="col">Reserve</th></tr></thead>
      <tbody>
        {props.pools.map((p) => (
          <tr key={p.tag}>
            <td>{p.license}</td><td class="num">{signed(p.balance)}</td>
            <td><Field label="Quantity"><input type="number" min={0} max={Math.max(0, p.balance + (props.held?.[p.tag] ?? 0))} value={props.quantities[p.tag] ?? 0}
              onInput={(e) => props.onChange({ ...props.quantities, [p.tag]: Math.max(0, Math.trunc(Number(e.currentTarget.value)) || 0) })} /></Field></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
