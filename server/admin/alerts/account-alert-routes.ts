import { z } from 'zod';
import type { Alert } from '../../../licensing/alerts/alert.js';
import type { Satellite } from '../../composition-root.js';
import type { AdminRouteSpec } from '../admin-route.js';
import { isoTime } from '../shared/request-fields.js';
import { toolkitListRoutes } from '../shared/toolkit-list-routes.js';

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
  return toolkitListRoutes(satellite, {
    resource: 'alerts', tag: TAG, summary: 'Active alerts of an account', response: toolkitResponse,
    rows: (account) => satellite.uow.read((r) => r.alerts.listActive())
      .filter((a) => a.accountId === account.id || a.accountId === null)
      .map(toRow),
  });
}
