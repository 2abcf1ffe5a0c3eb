import type { Account } from '../../../licensing/accounts/account.js';
import type { EventQuery } from '../../../licensing/events/event-repository.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount, requireUnscoped } from '../account-access.js';
import { CsvDocument, defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { toCsv } from '../csv-writer.js';
import { accountParams } from '../shared/request-fields.js';
import { fileSafe, virtualAccountOf } from '../shared/route-helpers.js';
import {
  EVENT_CSV_COLUMNS, eventExportQuery, eventListQuery, eventListResponse, eventView, satelliteEventListQuery, type EventListQuery,
} from './event-schemas.js';

const TAG = 'Event log';

/** The event log (DESIGN §3 Event): per account for anyone who may see the account, satellite-wide for unscoped admins. */
export function eventRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/accounts/:accountName/events/export.csv', tag: TAG, access: 'viewer',
      summary: 'Export an account\'s events as CSV (same filters as the list; x-total-count tells the full match count)',
      params: accountParams, query: eventExportQuery, response: 'csv',
      handler: ({ params, query, principal, res }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const page = satellite.eventLog.list(toEventQuery(satellite, account, query));
        res.set('x-total-count', String(page.total));
        return new CsvDocument(`events-${fileSafe(account.name)}.csv`, toCsv(EVENT_CSV_COLUMNS, page.events));
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/events', tag: TAG, access: 'viewer',
      summary: 'An account\'s event log, newest first: filter by type, virtual account and time; page (limit 1-1000, default 50)',
      params: accountParams, query: eventListQuery, response: eventListResponse,
      handler: ({ params, query, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const page = satellite.eventLog.list(toEventQuery(satellite, account, query));
        return { events: page.events.map(eventView), total: page.total, limit: query.limit, offset: query.offset };
      },
    }),
    defineRoute({
      method: 'get', path: '/events', tag: TAG, access: 'admin',
      summary: 'The whole satellite\'s event log, including events of no account (users, API clients); admins without an account scope',
      query: satelliteEventListQuery, response: eventListResponse,
      handler: ({ query, principal }) => {
        requireUnscoped(principal, 'read their logs under /accounts/{accountName}/events');
        const page = satellite.eventLog.list({ ...query });
        return { events: page.events.map(eventView), total: page.total, limit: query.limit, offset: query.offset };
      },
    }),
  ];
}

function toEventQuery(satellite: Satellite, account: Account, query: EventListQuery): EventQuery {
  const { virtualAccount, ...rest } = query;
  return {
    ...rest,
    accountId: account.id,
    virtualAccountId: virtualAccount === undefined ? undefined : virtualAccountOf(satellite, account, virtualAccount).id,
  };
}

