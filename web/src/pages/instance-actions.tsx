import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';
import { Dialog } from '../components/dialog';
import { ErrorAlert } from '../components/error-alert';

export interface InstanceRef { id: string; name: string; virtualAccount: string }

/** Move a product instance (and the licenses it uses) to another VA of the account. */
export function TransferInstanceDialog(props: { account: string; instance: InstanceRef; vas: string[]; onClose: () => void; onDone: () => void }) {
  const targets = props.vas.filter((name) => name !== props.instance.virtualAccount);
  const [to, setTo] = useState(targets[0] ?? '');
  const [force, setForce] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Transfer ${props.instance.name}`} onClose={props.onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          try {
            await call(api.POST('/backend/api/v1/accounts/{accountName}/product-instances/{instanceId}/transfer', {
              params: { path: { accountName: props.account, instanceId: props.instance.id } }, body: { targetVirtualAccount: to, force },
            }));
            props.onDone();
          } catch (failure) {
            setError(errorMessage(failure));
          }
        }}
      >
        <Field label="To virtual account"><select value={to} onChange={(e) => setTo(e.currentTarget.value)}>{targets.map((name) => <option key={name} value={name}>{name}</option>)}</select></Field>
        <label class="check"><input type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Transfer even if the target is short of licenses</label>
        <ErrorAlert message={error} />
        <div class="actions">
          <button type="submit">Transfer</button>
          <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Remove a product instance, after a confirmation that names it. */
export function RemoveInstanceDialog(props: { account: string; instance: InstanceRef; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Remove ${props.instance.name}`} onClose={props.onClose}>
      <p>The instance is removed from {props.instance.virtualAccount} and the licenses it uses are released. The device must register again to come back.</p>
      <ErrorAlert message={error} />
      <div class="actions">
        <button
          type="button" class="danger"
          onClick={async () => {
            try {
              await call(api.DELETE('/backend/api/v1/accounts/{accountName}/product-instances/{instanceId}', {
                params: { path: { accountName: props.account, instanceId: props.instance.id } },
              }));
              props.onDone();
            } catch (failure) {
              setError(errorMessage(failure));
            }
          }}
        >Remove</button>
        <button type="button" class="secondary" onClick={props.onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
