import { z } from 'zod';
import type { Account } from '../../../licensing/accounts/account.js';
import type { InstanceQuery } from '../../../licensing/instances/instance-inventory-repository.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount } from '../account-access.js';
import { CsvStream, defineRoute, JsonText, type AdminRouteSpec } from '../admin-route.js';
import { accountParams } from '../shared/request-fields.js';
import { actorOf, fileSafe, virtualAccountOf } from '../shared/route-helpers.js';
import {
  instanceDetailResponse, instanceDetailView, instanceExportQuery, instanceListQuery, instanceListResponse, instanceParams,
  transferBody, transferResponse, transferView, type InstanceListQuery,
} from './instance-schemas.js';

const BASE = '/accounts/:accountName/product-instances';
const TAG = 'Product instances';

/** The product instance inventory (DESIGN §6): viewers read, operators transfer and remove. */
export function instanceRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    // Before '/:instanceId', which would otherwise take "export.csv" for an id.
    defineRoute({
      method: 'get', path: `${BASE}/export.csv`, tag: TAG, access: 'viewer',
      summary: 'Export product instances as CSV, streamed (same filters as the list; x-total-count tells the full match count)',
      params: accountParams, query: instanceExportQuery, response: 'csv',
      handler: async ({ params, query, principal, res }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const { limit, ...rest } = query;
        const wanted = toInstanceQuery(satellite, account, { ...rest, limit: limit ?? Number.MAX_SAFE_INTEGER });
        res.set('x-total-count', String(await satellite.instanceReads.count(wanted)));
        return new CsvStream(`product-instances-${fileSafe(account.name)}.csv`, satellite.instanceReads.exportCsv(wanted));
      },
    }),
    defineRoute({
      method: 'get', path: BASE, tag: TAG, access: 'viewer',
      summary: 'List product instances: filter, search, sort by last contact, page by offset (to 10,000) or cursor (limit 1-1000, default 50)',
      params: accountParams, query: instanceListQuery, response: instanceListResponse,
      handler: async ({ params, query, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const { cursor, count, ...rest } = query;
        // Read and serialized on the list reader's thread: a 1,000-row page rebuilt here was ~15 ms of the event loop.
        return new JsonText(await satellite.instanceReads.listJson({ ...toInstanceQuery(satellite, account, rest), after: cursor }, count,
          { limit: query.limit, offset: query.offset }));
      },
    }),
    defineRoute({
      method: 'get', path: `${BASE}/:instanceId`, tag: TAG, access: 'viewer',
      summary: 'A product instance: UDI, virtual account, certificate, timers, states and per-tag usage',
      params: instanceParams, response: instanceDetailResponse,
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        return { productInstance: instanceDetailView(satellite.instanceQueries.detail(account.id, params.instanceId)) };
      },
    }),
    defineRoute({
      method: 'post', path: `${BASE}/:instanceId/transfer`, tag: TAG, access: 'operator',
      summary: 'Move a product instance and its license usage to another virtual account (409 naming short tags unless force)',
      params: instanceParams, body: transferBody, response: transferResponse,
      handler: ({ params, body, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const target = virtualAccountOf(satellite, account, body.targetVirtualAccount);
        const outcome = satellite.instanceAdmin.transfer({
          accountId: account.id, instanceId: params.instanceId, targetVirtualAccountId: target.id, force: body.force,
          actorId: actorOf(principal),
        });
        return transferView(outcome, satellite.instanceQueries.detail(account.id, params.instanceId));
      },
    }),
    defineRoute({
      method: 'delete', path: `${BASE}/:instanceId`, tag: TAG, access: 'operator',
      summary: 'Remove a product instance: its licenses return to the pools and its ID certificate is revoked',
      params: instanceParams, response: z.undefined(), successStatus: 204,
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        satellite.instanceAdmin.remove({ accountId: account.id, instanceId: params.instanceId, actorId: actorOf(principal) });
      },
    }),
  ];
}

type QueryFields = Omit<InstanceListQuery, 'cursor' | 'count'>;

function toInstanceQuery(satellite: Satellite, account: Account, query: QueryFields): InstanceQuery {
  const { virtualAccount, registrationState, match, ...rest } = query;
  return {
    ...rest,
    searchMatch: match,
    accountId: account.id,
    virtualAccountId: virtualAccount === undefined ? undefined : virtualAccountOf(satellite, account, virtualAccount).id,
    registrationState: registrationState === 'ANY' ? undefined : registrationState,
  };
}
