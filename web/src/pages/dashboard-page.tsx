import { api, call } from '../api/client';
import { UsageChart } from '../components/usage-chart';
import { useLoad } from '../components/use-load';
import { formatTime, signed } from '../format';
import { href, Link } from '../router';
import { loadAlerts, loadPools, type AccountAlert } from './licenses-page';

interface AccountSummary {
  account: string;
  licenses: { license: string; tag: string; quantity: number; inUse: number; available: number; status: string }[];
  alerts: AccountAlert[];
}

const MAX_ACCOUNTS = 20;

/** Dashboard (DESIGN §10): compliance at a glance per account, alerts, sync state and usage trends. */
export function DashboardPage() {
  const summaries = useLoad(async () => {
    const accounts = (await call(api.GET('/backend/api/v1/accounts'))).accounts.slice(0, MAX_ACCOUNTS);
    return Promise.all(accounts.map(async ({ name }): Promise<AccountSummary> => {
      const [licenses, alerts] = await Promise.all([
        call(api.GET('/backend/api/v1/accounts/{accountName}/licenses', { params: { path: { accountName: name }, query: { limit: -1 } } })),
        loadAlerts(name),
      ]);
      return { account: name, licenses: licenses.licenses, alerts };
    }));
  }, []);
  // Sync concerns the whole satellite: a principal limited to some accounts is refused, and sees no panel.
  const sync = useLoad(() => call(api.GET('/backend/api/v1/sync/status')), []);
  // The trends shown are those of the account with the most seats in use: the one an admin watches.
  const inUse = (s: AccountSummary) => s.licenses.reduce((sum, l) => sum + l.inUse, 0);
  const first = summaries.data?.reduce((best, s) => (inUse(s) > inUse(best) ? s : best));
  const trend = useLoad(async () => {
    if (!first) return null;
    const vas = (await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts', { params: { path: { accountName: first.account } } }))).virtualAccounts;
    const va = vas[0]?.name;
    if (!va) return null;
    return { va, pools: (await loadPools(first.account, va)).slice(0, 4) };
  }, [first?.account]);
  return (
    <section>
      <h1>Dashboard</h1>
      {summaries.error && <p role="alert" class="error">{summaries.error}</p>}
      <div class="cards">
        {(summaries.data ?? []).map((s) => {
          const short = s.licenses.filter((l) => l.status === 'Out of Compliance');
          const major = s.alerts.filter((a) => a.severity === 'Major').length;
          return (
            <article class="card" key={s.account} aria-labelledby={`acct-${s.account}`}>
              <h2 id={`acct-${s.account}`}>{s.account}</h2>
              <p class={short.length > 0 ? 'status short' : 'status ok'}>
                {short.length > 0 ? `Out of Compliance: ${short.length} of ${s.licenses.length} licenses short` : `In Compliance: ${s.licenses.length} licenses`}
              </p>
              {short.length > 0 && (
                <ul>{short.map((l) => <li key={l.tag}>{l.license}: balance {signed(l.available)}</li>)}</ul>
              )}
              <p><Link href={href('/alerts', { account: s.account })}>{s.alerts.length} active alerts</Link>{major > 0 ? ` (${major} Major)` : ''}</p>
              <p><Link href={href('/licenses', { account: s.account })}>Licenses of {s.account}</Link></p>
            </article>
          );
        })}
        {sync.data && (
          <article class="card" aria-labelledby="sync-card">
            <h2 id="sync-card">Synchronization</h2>
            {sync.data.registered ? (
              <p class={sync.data.syncAge === 'ok' ? 'status ok' : 'status short'}>
                {sync.data.mode === 'connected' ? 'Connected' : 'Disconnected'}; last synchronized {formatTime(sync.data.lastSuccessAt)}
              </p>
            ) : <p>Not registered with an upstream.</p>}
            <p><Link href="/synchronization">Synchronization</Link></p>
          </article>
        )}
      </div>
      {first && trend.data && (
        <>
          <h2>Usage trends in {first.account} / {trend.data.va}</h2>
          <div class="charts">
            {trend.data.pools.map((p) => <UsageChart key={p.tag} account={first.account} va={trend.data?.va ?? ''} tag={p.tag} name={p.license} />)}
          </div>
        </>
      )}
    </section>
  );
}
