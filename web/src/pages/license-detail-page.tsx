import { api, call } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { UsageChart } from '../components/usage-chart';
import { useLoad } from '../components/use-load';
import { formatDate, formatTime, inUseText, signed, stateName, substitutionText } from '../format';
import { href, Link, useLocation } from '../router';
import { loadPools } from './licenses-page';
import { instanceName } from './product-instances-page';

const ORIGIN: Record<string, string> = { local: 'Added locally', upstream: 'From the upstream', transfer: 'Transfer' };

/** One license of a VA: its numbers, the lines behind them, the instances using it, its events and trend. */
export function LicenseDetailPage(props: { tag: string }) {
  const location = useLocation();
  const choice = useAccountChoice(location);
  const { account, va } = choice;
  const pool = useLoad(async () => (account && va ? (await loadPools(account, va)).find((p) => p.tag === props.tag) ?? null : null), [account, va, props.tag]);
  const instances = useLoad(async () => (account && va ? call(api.GET('/backend/api/v1/accounts/{accountName}/product-instances', {
    params: { path: { accountName: account }, query: { virtualAccount: va, licenseTag: props.tag, limit: 50 } },
  })) : null), [account, va, props.tag]);
  const events = useLoad(async () => (account && va ? (await call(api.GET('/backend/api/v1/accounts/{accountName}/events', {
    params: { path: { accountName: account }, query: { virtualAccount: va, limit: 200 } },
  }))).events.filter((e) => JSON.stringify(e.details).includes(props.tag) || e.message.includes(props.tag)) : []), [account, va, props.tag]);
  const row = pool.data;
  const name = row?.license ?? props.tag;
  return (
    <section>
      <p><Link href={href('/licenses', { account, va })}>Licenses</Link> ›</p>
      <h1>{name}</h1>
      {choice.picker}
      <ErrorAlert message={choice.error ?? pool.error} />
      {pool.data === null && !pool.loading && <p>{va} holds no license {props.tag}.</p>}
      {row && account && va && (
        <>
          <dl class="facts">
            <dt>Tag</dt><dd><code>{row.tag}</code></dd>
            <dt>Purchased</dt><dd>{row.purchased}</dd>
            <dt>In Use</dt><dd>{inUseText(row.inUse, row.reserved)}</dd>
            <dt>Substitution</dt><dd>{substitutionText(row.substitution)}</dd>
            <dt>Balance</dt><dd class={row.balance < 0 ? 'short' : ''}>{signed(row.balance)}</dd>
            <dt>Status</dt><dd>{row.status}</dd>
          </dl>
          <UsageChart account={account} va={va} tag={row.tag} name={row.license} days={90} />
          <h2>License lines</h2>
          <table>
            <caption>Lines of {row.license} in {va}</caption>
            <thead><tr><th scope="col">Quantity</th><th scope="col">Type</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Active</th><th scope="col">Origin</th></tr></thead>
            <tbody>
              {row.lines.map((line, index) => (
                <tr key={`${line.type}-${index}`}>
                  <td class="num">{signed(line.quantity)}</td><td>{line.type}</td>
                  <td>{formatDate(line.start)}</td><td>{formatDate(line.end)}</td>
                  <td>{line.active ? 'Yes' : 'No'}</td><td>{ORIGIN[line.origin] ?? line.origin}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Product instances using it</h2>
          <ErrorAlert message={instances.error} />
          <table>
            <caption>{instances.data?.total ?? 0} product instances report {row.license}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Last Contact</th><th scope="col">Authorization</th></tr></thead>
            <tbody>
              {(instances.data?.productInstances ?? []).map((i) => (
                <tr key={i.id}>
                  <td><Link href={href(`/product-instances/${encodeURIComponent(i.id)}`, { account, va })}>{instanceName(i)}</Link></td>
                  <td>{formatTime(i.lastContactAt)}</td><td>{stateName(i.authorizationState)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Events</h2>
          <ul class="events">
            {(events.data ?? []).slice(0, 50).map((e) => <li key={e.id}>{formatTime(e.occurredAt)}: {e.message}</li>)}
            {events.data?.length === 0 && <li>No events name this license.</li>}
          </ul>
        </>
      )}
    </section>
  );
}
