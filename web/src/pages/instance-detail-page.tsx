import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime, stateName } from '../format';
import { href, Link, navigate, useLocation } from '../router';
import { canWrite, useSession } from '../session';
import { RemoveInstanceDialog, TransferInstanceDialog } from './instance-actions';
import { instanceName } from './product-instances-page';

/** One product instance: its UDI, certificate, per-license authorization and alerts (DESIGN §3). */
export function InstanceDetailPage(props: { id: string }) {
  const location = useLocation();
  const { user } = useSession();
  const choice = useAccountChoice(location, 'none');
  const { account } = choice;
  const detail = useLoad(async () => (account ? (await call(api.GET('/backend/api/v1/accounts/{accountName}/product-instances/{instanceId}', {
    params: { path: { accountName: account, instanceId: props.id } },
  }))).productInstance : null), [account, props.id]);
  const vas = useLoad(async () => (account ? (await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts', {
    params: { path: { accountName: account } },
  }))).virtualAccounts.map((v) => v.name) : []), [account]);
  const [dialog, setDialog] = useState<'transfer' | 'remove' | null>(null);
  const instance = detail.data;
  const back = href('/product-instances', { account, va: instance?.virtualAccount ?? location.query.get('va') });
  const name = instance ? instanceName(instance) : props.id;
  return (
    <section>
      <p><Link href={back}>Product Instances</Link> ›</p>
      <h1>{name}</h1>
      <ErrorAlert message={choice.error ?? detail.error} />
      {instance && (
        <>
          {canWrite(user.role) && (
            <div class="actions">
              {(vas.data ?? []).length > 1 && <button type="button" onClick={() => setDialog('transfer')}>Transfer</button>}
              <button type="button" class="danger" onClick={() => setDialog('remove')}>Remove</button>
            </div>
          )}
          <dl class="facts">
            <dt>Virtual account</dt><dd>{instance.virtualAccount}</dd>
            <dt>Product</dt><dd>{instance.udi.pid} ({instance.productTag})</dd>
            <dt>Serial number</dt><dd>{instance.udi.serialNumber}</dd>
            <dt>VID / host identifier</dt><dd>{instance.udi.vid ?? '—'} / {instance.udi.hostIdentifier ?? '—'}</dd>
            <dt>Hostname / IP address</dt><dd>{instance.hostname ?? '—'} / {instance.ipAddress ?? '—'}</dd>
            <dt>Registration</dt><dd>{stateName(instance.registrationState)} since {formatTime(instance.registeredAt)}</dd>
            <dt>Authorization</dt><dd>{stateName(instance.authorizationState)}; expires {formatTime(instance.authorizationExpiresAt)}</dd>
            <dt>Last contact</dt><dd>{formatTime(instance.lastContactAt)}</dd>
            <dt>Export control</dt><dd>{instance.exportControl}</dd>
            <dt>ID certificate</dt><dd>{instance.certificate ? `serial ${instance.certificate.serial}, valid until ${formatTime(instance.certificate.notAfter)}` : '—'}</dd>
          </dl>
          <table>
            <caption>Licenses in use</caption>
            <thead><tr><th scope="col">License</th><th scope="col">Requested</th><th scope="col">Authorized</th><th scope="col">Status</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {instance.entitlements.map((e) => (
                <tr key={e.tag}>
                  <td><Link href={href(`/licenses/${encodeURIComponent(e.tag)}`, { account, va: instance.virtualAccount })}>{e.displayName ?? e.tag}</Link></td>
                  <td class="num">{e.requested}</td><td class="num">{e.authorized}</td><td>{stateName(e.status)}</td><td>{formatTime(e.updatedAt)}</td>
                </tr>
              ))}
              {instance.entitlements.length === 0 && <tr><td colSpan={5}>No licenses reported.</td></tr>}
            </tbody>
          </table>
          <h2>Alerts</h2>
          {instance.alerts.length === 0 ? <p>No active alerts.</p> : (
            <ul>{instance.alerts.map((a) => <li key={a.messageType + a.raisedAt}><span class={`badge ${a.severity.toLowerCase()}`}>{a.severity}</span> {a.message}</li>)}</ul>
          )}
          {dialog === 'transfer' && account && (
            <TransferInstanceDialog account={account} instance={{ id: instance.id, name, virtualAccount: instance.virtualAccount }} vas={vas.data ?? []}
              onClose={() => setDialog(null)} onDone={() => { setDialog(null); detail.reload(); }} />
          )}
          {dialog === 'remove' && account && (
            <RemoveInstanceDialog account={account} instance={{ id: instance.id, name, virtualAccount: instance.virtualAccount }}
              onClose={() => setDialog(null)} onDone={() => navigate(back)} />
          )}
        </>
      )}
    </section>
  );
}
