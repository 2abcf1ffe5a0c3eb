import type { z } from 'zod';
import type { Account } from '../../../licensing/accounts/account.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { accountParams, page, pagingSchema, type Paging } from './request-fields.js';

export interface ToolkitListSpec<Row, Key extends string> {
  /** Path below the account, e.g. 'licenses' for /accounts/:accountName/licenses. */
  resource: Key;
  tag: string;
  summary: string;
  response: z.ZodType;
  rows(account: Account): readonly Row[];
}

/**
 * The API toolkit lists an account's rows with `POST` and `{ "limit": -1, "offset" }`; GET with the same
 * paging in the query is offered too. The toolkit body has no room for a total, so x-total-count carries it.
 */
export function toolkitListRoutes<Row, Key extends string>(satellite: Satellite, spec: ToolkitListSpec<Row, Key>): AdminRouteSpec[] {
  const list = (accountName: string, principal: Parameters<typeof accessibleAccount>[1], paging: Paging, res: { setHeader(name: string, value: string): unknown }) => {
    const rows = spec.rows(accessibleAccount(satellite, principal, accountName));
    res.setHeader('x-total-count', String(rows.length));
    return { [spec.resource]: page(rows, paging) } as Record<Key, Row[]>;
  };
  const path = `/accounts/:accountName/${spec.resource}`;
  return [
    defineRoute({
      method: 'post', path, tag: spec.tag, access: 'viewer', summary: `${spec.summary} (API toolkit; JSON or form)`,
      params: accountParams, body: pagingSchema, acceptsForm: true, response: spec.response,
      handler: ({ params, body, principal, res }) => list(params.accountName, principal, body, res),
    }),
    defineRoute({
      method: 'get', path, tag: spec.tag, access: 'viewer', summary: `${spec.summary} (API toolkit, paging in the query)`,
      params: accountParams, query: pagingSchema, response: spec.response,
      handler: ({ params, query, principal, res }) => list(params.accountName, principal, query, res),
    }),
  ];
}
