import { z } from 'zod';
import { ConflictError } from '../../../licensing/shared/domain-error.js';
import { parseSyncError } from '../../../sync/connected/sync-runner.js';
import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { requireUnscoped } from '../account-access.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const statusResponse = z.object({
  registered: z.boolean(),
  mode: z.enum(['connected', 'disconnected']).nullable(),
  upstreamId: z.string().nullable(),
  upstreamUrl: z.string().nullable(),
  running: z.boolean(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.object({ at: z.string().nullable(), failureClass: z.string().nullable(), message: z.string() }).nullable(),
  consecutiveFailures: z.number(),
  nextRunAt: z.string().nullable(),
  daysSinceLastSync: z.number().nullable(),
  syncAge: z.enum(['never', 'ok', 'warning', 'critical']).nullable(),
  credentialExpiresAt: z.string().nullable(),
  credentialDaysLeft: z.number().nullable(),
});

const runResponse = z.object({
  ok: z.boolean(), attempts: z.number(), failureClass: z.string().optional(), message: z.string().optional(),
  status: z.enum(['IMPORTED', 'ALREADY_IMPORTED']).optional(), bundleId: z.string().optional(), sequence: z.number().optional(),
});

/**
 * Connected sync for operators (DESIGN §5.1): the status, "sync now" (409 while a run is in progress) and
 * the request bundle download that disconnected mode carries to the upstream by hand.
 */
export function syncConnectedRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/sync/status', tag: 'Sync', access: 'viewer', response: statusResponse,
      summary: 'Sync mode, upstream, last success and error (with its class), next run, sync age and credential expiry',
      handler: ({ principal }) => {
        requireUnscoped(principal, 'sync concerns the whole satellite');
        const status = satellite.satelliteBinding.status();
        const running = satellite.syncRunner.running;
        if (!status) {
          return {
            registered: false, mode: null, upstreamId: null, upstreamUrl: null, running, lastAttemptAt: null, lastSuccessAt: null, lastError: null,
            consecutiveFailures: 0, nextRunAt: null, daysSinceLastSync: null, syncAge: null, credentialExpiresAt: null, credentialDaysLeft: null,
          };
        }
        const { binding, state } = status;
        const error = parseSyncError(state.lastError);
        return {
          registered: true, mode: binding.mode, upstreamId: binding.upstreamId, upstreamUrl: binding.upstreamUrl, running,
          lastAttemptAt: iso(state.lastAttemptAt), lastSuccessAt: iso(state.lastSuccessAt),
          lastError: error ? { at: iso(state.lastErrorAt), ...error } : null,
          consecutiveFailures: state.consecutiveFailures, nextRunAt: iso(state.nextRunAt), daysSinceLastSync: status.daysSinceLastSync,
          syncAge: status.syncAge, credentialExpiresAt: iso(binding.credentialExpiresAt), credentialDaysLeft: status.credentialDaysLeft,
        };
      },
    }),
    defineRoute({
      method: 'post', path: '/sync/run', tag: 'Sync', access: 'operator', response: runResponse,
      summary: 'Sync now with the upstream (connected mode); 409 while a run is in progress',
      handler: async ({ principal }) => {
        requireUnscoped(principal, 'sync concerns the whole satellite');
        if (satellite.syncRunner.running) throw new ConflictError('a sync run is already in progress', { reason: 'SYNC_RUNNING' });
        const outcome = await satellite.syncRunner.runNow(principal?.name ?? 'api');
        if (!outcome.ok) return outcome;
        const { status, bundleId, sequence } = outcome.result;
        return { ok: true, attempts: outcome.attempts, status, bundleId, sequence };
      },
    }),
    defineRoute({
      method: 'get', path: '/sync/export', tag: 'Sync', access: 'operator', response: z.unknown(),
      summary: 'Download a signed request bundle (application/zip) to carry to the upstream',
      handler: async ({ res, principal }) => {
        requireUnscoped(principal, 'sync concerns the whole satellite');
        if (!satellite.satelliteBinding.binding()) {
          throw new ConflictError('this satellite is not registered with an upstream yet', { reason: 'NOT_REGISTERED' });
        }
        res.status(200).set({ 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="satellite-request.zip"' });
        await satellite.requestExporter.exportRequestBundle({ writable: res });
      },
    }),
  ];
}

