import { Field } from '../components/field';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime, stateName } from '../format';
import { navigate, useLocation, withQuery } from '../router';
import { loadAlerts } from './licenses-page';

const SEVERITIES = ['Major', 'Minor', 'Informational'] as const;

/** Alerts (DESIGN §10): the account's active alerts, most severe first, filterable by severity. */
export function AlertsPage() {
  const location = useLocation();
  const choice = useAccountChoice(location, 'none');
  const { account } = choice;
  const severity = location.query.get('severity') ?? '';
  const alerts = useLoad(async () => (account ? loadAlerts(account) : []), [account]);
  const rows = (alerts.data ?? [])
    .filter((a) => !severity || a.severity === severity)
    .sort((a, b) => SEVERITIES.indexOf(a.severity as typeof SEVERITIES[number]) - SEVERITIES.indexOf(b.severity as typeof SEVERITIES[number])
      || b.createdAt.localeCompare(a.createdAt));
  const counts = SEVERITIES.map((s) => `${(alerts.data ?? []).filter((a) => a.severity === s).length} ${s}`).join(', ');
  return (
    <section>
      <h1>Alerts</h1>
      <div class="pickers">
        {choice.picker}
        <Field label="Severity"><select value={severity} onChange={(e) => navigate(withQuery(location, { severity: e.currentTarget.value }))}>
            <option value="">All</option>
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select></Field>
      </div>
      <ErrorAlert message={choice.error ?? alerts.error} />
      <p>{counts}</p>
      <table>
        <caption>Active alerts of {account ?? '…'}</caption>
        <thead><tr><th scope="col">Severity</th><th scope="col">Alert</th><th scope="col">Virtual Account</th><th scope="col">Message</th><th scope="col">Raised</th></tr></thead>
        <tbody>
          {rows.map((a) => (
            <tr key={`${a.messageType}-${a.source}-${a.createdAt}-${a.message}`}>
              <td><span class={`badge ${a.severity.toLowerCase()}`}>{a.severity}</span></td>
              <td>{stateName(a.messageType)}</td>
              <td>{a.source}</td>
              <td>{a.message}</td>
              <td>{formatTime(a.createdAt)}</td>
            </tr>
          ))}
          {alerts.data && rows.length === 0 && <tr><td colSpan={5}>No active alerts.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
