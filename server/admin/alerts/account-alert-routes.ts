import type { Response } from 'express';
import { z } from 'zod';
import type { Alert } from '../../../licensing/alerts/alert.js';
import type { Principal } from '../../../licensing/users/principal.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { accountParams, isoTime, page, pagingSchema, type Paging } from '../shared/request-fields.js';

const TAG = 'Alerts';

/** One row of the toolkit's `POST .../accounts/{a}/alerts`: the contract, field for field. */
const toolkitAlertRow = z.object({
  messageType: z.string(),
  severity: z.enum(['Major', 'Minor', 'Informational']),
  source: z.string(),
  message: z.string(),
  createdAt: z.string().describe('ISO 8601 (UTC) time the alert was raised'),
});
const toolkitResponse = z.object({ alerts: z.array(toolkitAlertRow) });

function toRow(alert: Alert): z.infer<typeof toolkitAlertRow> {
  return { messageType: alert.messageType, severity: alert.severity, source: alert.source, message: alert.message, createdAt: isoTime(alert.raisedAt) };
}

/**
 * Active alerts of an account, newest first (API toolkit). Satellite-wide alerts (sync overdue and the like)
 * belong to no account but concern every one, so they are listed for every account.
 */
export function accountAlertRoutes(satellite: Satellite): AdminRouteSpec[] {
  const list = (accountName: string, principal: Principal | null, paging: Paging, res: Response) => {
    const account = accessibleAccount(satellite, principal, accountName);
    const alerts = satellite.uow.read((r) => r.alerts.listActive())
      .filter((a) => a.accountId === account.id || a.accountId === null);
    res.setHeader('x-total-count', String(alerts.length));
    return { alerts: page(alerts, paging).map(toRow) };
  };
  return [
    defineRoute({
      method: 'post', path: '/accounts/:accountName/alerts', tag: TAG, access: 'viewer',
      summary: 'Active alerts of an account (API toolkit)',
      params: accountParams, body: pagingSchema, response: toolkitResponse,
      handler: ({ params, body, principal, res }) => list(params.accountName, principal, body, res),
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/alerts', tag: TAG, access: 'viewer',
      summary: 'Active alerts of an account (API toolkit, paging in the query)',
      params: accountParams, query: pagingSchema, response: toolkitResponse,
      handler: ({ params, query, principal, res }) => list(params.accountName, principal, query, res),
    }),
  ];
}
