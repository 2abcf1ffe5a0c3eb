import { Field } from '../components/field';
import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { useAccountChoice } from '../components/account-picker';
import { ErrorAlert } from '../components/error-alert';
import { useLoad } from '../components/use-load';
import { formatTime, stateName } from '../format';
import { href, Link, navigate, useLocation, withQuery } from '../router';
import { canWrite, useSession } from '../session';
import { RemoveInstanceDialog, TransferInstanceDialog, type InstanceRef } from './instance-actions';

const PAGE_SIZE = 50;
/** The API's deepest offset (OFFSET_MAX); past it the next page is asked by cursor. */
const OFFSET_MAX = 10_000;
type Authorization = 'NOT_AUTHORIZED' | 'AUTHORIZED' | 'OUT_OF_COMPLIANCE' | 'NO_LICENSES_IN_USE';
type Registration = 'REGISTERED' | 'UNREGISTERED' | 'ANY';
const AUTHORIZATIONS: readonly Authorization[] = ['AUTHORIZED', 'OUT_OF_COMPLIANCE', 'NOT_AUTHORIZED', 'NO_LICENSES_IN_USE'];

export function instanceName(instance: { hostname: string | null; udi: { pid: string; serialNumber: string } }): string {
  return instance.hostname ?? `UDI_PID:${instance.udi.pid}; UDI_SN:${instance.udi.serialNumber}`;
}

/** Reservation-held instances (DESIGN §9.2, `kind: "RESERVED"`) read as the seeds show them; older satellites send no kind. */
function isReserved(row: object): boolean {
  return 'kind' in row && row.kind === 'RESERVED';
}

/**
 * Product Instances (DESIGN §10): search, filters and paging run on the satellite (the list route pages in
 * SQL), so the page stays as fast with a million instances as with ten; every filter is in the URL.
 */
export function ProductInstancesPage() {
  const location = useLocation();
  const { user } = useSession();
  const choice = useAccountChoice(location);
  const { account, va } = choice;
  const q = location.query;
  const search = q.get('search') ?? '';
  const authorization = q.get('authorization') ?? '';
  const registration = q.get('registration') ?? '';
  const offset = Math.min(OFFSET_MAX, Math.max(0, Number(q.get('offset') ?? 0) || 0));
  const cursor = q.get('cursor') ?? '';
  const list = useLoad(async () => {
    if (!account || !va) return null;
    return call(api.GET('/backend/api/v1/accounts/{accountName}/product-instances', {
      params: {
        path: { accountName: account },
        query: {
          virtualAccount: va, limit: PAGE_SIZE, sort: '-lastContact',
          // A cursor page continues after the row it names; offsets serve the first 10,000 rows.
          ...(cursor ? { cursor } : { offset }),
          // Prefix search is answered through indexes at any fleet size; a substring would read every instance.
          ...(search ? { search, match: 'prefix' as const } : {}),
          ...(authorization ? { authorizationState: authorization as Authorization } : {}),
          ...(registration ? { registrationState: registration as Registration } : {}),
        },
      },
    }));
  }, [account, va, search, authorization, registration, offset, cursor]);
  const [draft, setDraft] = useState(search);
  const [transfer, setTransfer] = useState<InstanceRef | null>(null);
  const [remove, setRemove] = useState<InstanceRef | null>(null);
  const total = list.data?.total ?? 0;
  // Counting stops at 10,000 (totalExact false): the page says "more than" rather than read a million rows.
  const totalText = list.data && !list.data.totalExact ? `more than ${total.toLocaleString('en-US')}` : String(total);
  const rows = list.data?.productInstances ?? [];
  const nextCursor = list.data?.nextCursor ?? null;
  const nextOffset = offset + PAGE_SIZE;
  return (
    <section>
      <h1>Product Instances</h1>
      {choice.picker}
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); navigate(withQuery(location, { search: draft.trim(), offset: null, cursor: null })); }}>
        <Field label="Search"><input type="search" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder="start of name, serial number or PID" /></Field>
        <Field label="Authorization"><select value={authorization} onChange={(e) => navigate(withQuery(location, { authorization: e.currentTarget.value, offset: null, cursor: null }))}>
            <option value="">Any</option>
            {AUTHORIZATIONS.map((state) => <option key={state} value={state}>{stateName(state)}</option>)}
          </select></Field>
        <Field label="Registration"><select value={registration} onChange={(e) => navigate(withQuery(location, { registration: e.currentTarget.value, offset: null, cursor: null }))}>
            <option value="">Registered</option>
            <option value="UNREGISTERED">Unregistered</option>
            <option value="ANY">Any</option>
          </select></Field>
        <button type="submit">Search</button>
      </form>
      <ErrorAlert message={choice.error ?? list.error} />
      {account && va && (
        <p><a href={href(`/backend/api/v1/accounts/${encodeURIComponent(account)}/product-instances/export.csv`, { virtualAccount: va, search, ...(search ? { match: 'prefix' } : {}) })} download>Export product instances as CSV</a></p>
      )}
      <table>
        <caption>Product instances of {va ?? '…'}: {totalText}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th><th scope="col">Product</th><th scope="col">Serial Number</th><th scope="col">Last Contact</th>
            <th scope="col">Authorization</th><th scope="col">Alerts</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const ref: InstanceRef = { id: row.id, name: instanceName(row), virtualAccount: row.virtualAccount };
            return (
              <tr key={row.id}>
                <td><Link href={href(`/product-instances/${encodeURIComponent(row.id)}`, { account, va })}>{ref.name}</Link></td>
                <td>{row.udi.pid}</td>
                <td>{row.udi.serialNumber}</td>
                <td>{formatTime(row.lastContactAt)}{isReserved(row) ? ' (Reserved Licenses)' : ''}</td>
                <td>{stateName(row.authorizationState)}</td>
                <td>{row.authorizationState === 'OUT_OF_COMPLIANCE' && <span class="badge major">Out of Compliance</span>}</td>
                <td class="row-actions">
                  {canWrite(user.role) && (
                    <>
                      {choice.vas.length > 1 && <button type="button" class="small" onClick={() => setTransfer(ref)}>Transfer {ref.name}</button>}
                      <button type="button" class="small danger" onClick={() => setRemove(ref)}>Remove {ref.name}</button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
          {list.data && rows.length === 0 && <tr><td colSpan={7}>No product instances match.</td></tr>}
        </tbody>
      </table>
      <nav aria-label="Pages" class="pager">
        <span>{total === 0 ? 'None' : cursor ? `Showing ${rows.length} of ${totalText}` : `Showing ${offset + 1}–${offset + rows.length} of ${totalText}`}</span>
        {cursor && <Link href={withQuery(location, { cursor: null, offset: null })}>First page</Link>}
        {!cursor && offset > 0 && <Link href={withQuery(location, { offset: Math.max(0, offset - PAGE_SIZE) || null })}>Previous page</Link>}
        {nextCursor && (
          <Link href={withQuery(location, !cursor && nextOffset <= OFFSET_MAX ? { offset: nextOffset } : { cursor: nextCursor, offset: null })}>Next page</Link>
        )}
      </nav>
      {transfer && account && (
        <TransferInstanceDialog account={account} instance={transfer} vas={choice.vas} onClose={() => setTransfer(null)} onDone={() => { setTransfer(null); list.reload(); }} />
      )}
      {remove && account && (
        <RemoveInstanceDialog account={account} instance={remove} onClose={() => setRemove(null)} onDone={() => { setRemove(null); list.reload(); }} />
      )}
    </section>
  );
}
