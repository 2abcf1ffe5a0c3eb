import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { href, Link, navigate, useLocation, withQuery } from '../router';

const PAGE_SIZE = 100;

/** A day typed in a date field as an ISO instant: `from` at its start, `to` at its end (UTC). */
function dayBound(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  return end ? `${day}T23:59:59.999Z` : `${day}T00:00:00.000Z`;
}

/** Event Log (DESIGN §10): filters by type, VA and day, paged on the satellite, and the same view as CSV. */
export function EventLogPage() {
  const location = useLocation();
  const choice = useAccountChoice(location, 'all');
  const { account, va } = choice;
  const q = location.query;
  const type = q.get('type') ?? '';
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);
  const filters = {
    ...(va ? { virtualAccount: va } : {}), ...(type ? { type } : {}),
    ...(dayBound(from, false) ? { from: dayBound(from, false) } : {}), ...(dayBound(to, true) ? { to: dayBound(to, true) } : {}),
  };
  const events = useLoad(async () => (account ? call(api.GET('/backend/api/v1/accounts/{accountName}/events', {
    params: { path: { accountName: account }, query: { ...filters, limit: PAGE_SIZE, offset } },
  })) : null), [account, va, type, from, to, offset]);
  const [draftType, setDraftType] = useState(type);
  const [draftFrom, setDraftFrom] = useState(from);
  const [draftTo, setDraftTo] = useState(to);
  const rows = events.data?.events ?? [];
  const total = events.data?.total ?? 0;
  return (
    <section>
      <h1>Event Log</h1>
      {choice.picker}
      <form class="filters" onSubmit={(e) => { e.preventDefault(); navigate(withQuery(location, { type: draftType.trim(), from: draftFrom, to: draftTo, offset: null })); }}>
        <Field label="Event type"><input value={draftType} onInput={(e) => setDraftType(e.currentTarget.value)} placeholder="e.g. PRODUCT_INSTANCE_REGISTERED" /></Field>
        <Field label="From"><input type="date" value={draftFrom} onInput={(e) => setDraftFrom(e.currentTarget.value)} /></Field>
        <Field label="To"><input type="date" value={draftTo} onInput={(e) => setDraftTo(e.currentTarget.value)} /></Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorAlert message={choice.error ?? events.error} />
      {account && <p><a href={href(`/backend/api/v1/accounts/${encodeURIComponent(account)}/events/export.csv`, filters)} download>Export CSV</a></p>}
      <table>
        <caption>Events of {account ?? '…'}{va ? ` / ${va}` : ''}: {total}</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Virtual Account</th><th scope="col">Actor</th><th scope="col">Type</th><th scope="col">Message</th></tr></thead>
        <tbody>
          {rows.map((event) => (
            <tr key={event.id}>
              <td>{formatTime(event.occurredAt)}</td>
              <td>{event.virtualAccount ?? '—'}</td>
              <td>{event.actorType}{event.actorId ? `: ${event.actorId}` : ''}</td>
              <td><code>{event.type}</code></td>
              <td>{event.message}</td>
            </tr>
          ))}
          {events.data && rows.length === 0 && <tr><td colSpan={5}>No events match.</td></tr>}
        </tbody>
      </table>
      <nav aria-label="Pages" class="pager">
        <span>{total === 0 ? 'None' : `Showing ${offset + 1}–${offset + rows.length} of ${total}`}</span>
        {offset > 0 && <Link href={withQuery(location, { offset: Math.max(0, offset - PAGE_SIZE) || null })}>Previous page</Link>}
        {offset + rows.length < total && <Link href={withQuery(location, { offset: offset + PAGE_SIZE })}>Next page</Link>}
      </nav>
    </section>
  );
}
