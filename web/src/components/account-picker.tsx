import { Field } from './field';
import { useEffect } from 'preact/hooks';
import { api, call } from '../api/client';
import { navigate, withQuery, type Location } from '../router';
import { useLoad } from './use-load';

export interface AccountChoice {
  account: string | null;
  va: string | null;
  accounts: string[];
  vas: string[];
  error: string | null;
  /** The Account and Virtual Account selects (DESIGN §10), to place at the top of the page. */
  picker: preact.JSX.Element;
}

/**
 * The account and VA being viewed live in the URL (`?account=&va=`); when absent the first ones are chosen
 * and written back, so the address always names what is shown. `vaMode: 'all'` adds an "All" choice.
 */
export function useAccountChoice(location: Location, vaMode: 'one' | 'all' | 'none' = 'one'): AccountChoice {
  const accounts = useLoad(async () => (await call(api.GET('/backend/api/v1/accounts'))).accounts.map((a) => a.name), []);
  const names = accounts.data ?? [];
  const asked = location.query.get('account');
  const account = asked ?? names[0] ?? null;
  const vas = useLoad(async () => {
    if (account === null || vaMode === 'none') return [];
    const body = await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts', { params: { path: { accountName: account } } }));
    return body.virtualAccounts.map((v) => v.name);
  }, [account, vaMode]);
  const vaNames = vas.data ?? [];
  const askedVa = location.query.get('va');
  const va = vaMode === 'none' ? null : askedVa ?? (vaMode === 'all' ? null : vaNames[0] ?? null);

  useEffect(() => {
    const changes: Record<string, string> = {};
    if (asked === null && account !== null) changes.account = account;
    if (vaMode === 'one' && askedVa === null && va !== null && vas.data !== null) changes.va = va;
    if (Object.keys(changes).length > 0) navigate(withQuery(location, changes), { replace: true });
  }, [asked, account, askedVa, va, vas.data]);

  const picker = (
    <div class="pickers">
      <Field label="Account"><select value={account ?? ''} onChange={(e) => navigate(withQuery(location, { account: e.currentTarget.value, va: null, offset: null }))}>
          {names.map((name) => <option key={name} value={name}>{name}</option>)}
        </select></Field>
      {vaMode !== 'none' && (
        <Field label="Virtual Account"><select value={va ?? ''} onChange={(e) => navigate(withQuery(location, { va: e.currentTarget.value, offset: null }))}>
            {vaMode === 'all' && <option value="">All</option>}
            {vaNames.map((name) => <option key={name} value={name}>{name}</option>)}
          </select></Field>
      )}
    </div>
  );
  return { account, va, accounts: names, vas: vaNames, error: accounts.error ?? vas.error, picker };
}

