import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { requireUnscoped } from '../account-access.js';

/**
 * POST /backups: an online backup streamed as the response (DESIGN §11). POST because it does work and is
 * recorded (the last success feeds satellite_backup_last_success_age_seconds); unscoped admins only, since
 * the archive holds every account and the satellite's private keys.
 */
export function backupRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'post', path: '/backups', tag: 'Operations', access: 'admin', response: 'zip',
      summary: 'Download an online backup: one zip with a consistent database snapshot, the PKI and a manifest (satellite backup verify checks it)',
      handler: async ({ principal, res }) => {
        requireUnscoped(principal, 'a backup holds the whole satellite');
        const stamp = new Date(satellite.clock.now()).toISOString().replace(/[:.]/g, '-');
        res.status(200).set({ 'content-type': 'application/zip', 'content-disposition': `attachment; filename="satellite-backup-${stamp}.zip"` });
        await satellite.backups.writeTo(res, principal?.name ?? 'api');
      },
    }),
  ];
}
