import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../licensing/shared/domain-error.js';
import type { UsageDay } from '../../../licensing/licenses/usage-history.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount, accessibleVirtualAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { instantField, integerField, isoTime, nameParam } from '../shared/request-fields.js';
import { accountLicenseRow, licenseLineView, poolRow, toAccountLicenseRow, toLicenseLineView, toPoolRow } from './license-views.js';

const TAG = 'Licenses';
const tagParam = z.string().min(1).max(256);
const vaTagParams = z.object({ accountName: nameParam, virtualAccountName: nameParam, tag: tagParam });
const accountTagParams = z.object({ accountName: nameParam, tag: tagParam });
const lineParams = z.object({ accountName: nameParam, virtualAccountName: nameParam, lineId: z.string().min(1).max(100) });

const consumerView = z.object({
  productInstanceId: z.string(), hostname: z.string().nullable(), udiPid: z.string(), udiSerialNumber: z.string(),
  authorizationState: z.string(), count: z.number().int(), status: z.string().describe('the answer at its last report'),
  reportedAt: z.string(),
});
const eventView = z.object({ occurredAt: z.string(), type: z.string(), actorType: z.string(), actorId: z.string().nullable(), message: z.string() });
const usageDayView = z.object({
  day: z.string().describe('YYYY-MM-DD (UTC)'), peakInUse: z.number().int(), purchased: z.number().int(), balance: z.number().int(),
});
const usageQuery = z.object({
  from: instantField.optional().describe('default: 30 days before to'),
  to: instantField.optional().describe('default: now'),
}).strict();
const usageResponse = z.object({ tag: z.string(), from: z.string(), to: z.string(), days: z.array(usageDayView) });

const toDay = (d: UsageDay) => ({ day: isoTime(d.day).slice(0, 10), peakInUse: d.peakInUse, purchased: d.purchased, balance: d.balance });

/**
 * A license's detail (its pool, lines, consuming instances and events), its usage history (one row per day:
 * the source of the web UI's trend charts) and the edits of local lines.
 */
export function licenseDetailRoutes(satellite: Satellite): AdminRouteSpec[] {
  const usageRange = (query: z.infer<typeof usageQuery>): { from: number; to: number } => {
    const to = query.to ?? satellite.clock.now();
    return { from: query.from ?? to - 30 * 86_400_000, to };
  };
  return [
    defineRoute({
      method: 'get', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName/licenses/:tag', tag: TAG, access: 'viewer',
      summary: 'One license of a virtual account: its pool, lines, the product instances consuming it and its events',
      params: vaTagParams,
      response: z.object({ license: poolRow, consumers: z.array(consumerView), events: z.array(eventView) }),
      handler: ({ params, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const detail = satellite.licenseLines.detail(virtualAccount.id, params.tag);
        if (!detail) throw new NotFoundError('license', `${params.accountName}/${params.virtualAccountName}/${params.tag}`);
        return {
          license: toPoolRow(detail.pool, satellite.clock.now()),
          consumers: detail.consumers.map((c) => ({
            productInstanceId: c.instanceId, hostname: c.hostname, udiPid: c.udiPid, udiSerialNumber: c.udiSerialNumber,
            authorizationState: c.authorizationState, count: c.count, status: c.status, reportedAt: isoTime(c.reportedAt),
          })),
          events: detail.events.map((e) => ({ occurredAt: isoTime(e.occurredAt), type: e.type, actorType: e.actorType, actorId: e.actorId, message: e.message })),
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName/licenses/:tag/usage', tag: TAG, access: 'viewer',
      summary: 'Usage history of a virtual account\'s license: one row per UTC day (peak in use, purchased, lowest balance)',
      params: vaTagParams, query: usageQuery, response: usageResponse,
      handler: ({ params, query, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const { from, to } = usageRange(query);
        const days = satellite.licenseLines.usage([virtualAccount.id], params.tag, from, to);
        return { tag: params.tag, from: isoTime(from), to: isoTime(to), days: days.map(toDay) };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/licenses/:tag', tag: TAG, access: 'viewer',
      summary: 'One license of an account: its row of the license table and the pool of every virtual account holding or using it',
      params: accountTagParams, response: z.object({ license: accountLicenseRow, virtualAccounts: z.array(poolRow.extend({ virtualAccount: z.string() })) }),
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const row = satellite.licensePools.accountLicenses(account.id).find((r) => r.tag === params.tag);
        if (!row) throw new NotFoundError('license', `${params.accountName}/${params.tag}`);
        const now = satellite.clock.now();
        const virtualAccounts = satellite.inventory.listVirtualAccounts(account.id).flatMap((va) => satellite.licensePools.virtualAccountPools(va.id)
          .filter((p) => p.tag === params.tag).map((p) => ({ virtualAccount: va.name, ...toPoolRow(p, now) })));
        return { license: toAccountLicenseRow(row), virtualAccounts };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/licenses/:tag/usage', tag: TAG, access: 'viewer',
      summary: 'Usage history of a license over every virtual account of the account, one row per UTC day (sums)',
      params: accountTagParams, query: usageQuery, response: usageResponse,
      handler: ({ params, query, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const { from, to } = usageRange(query);
        const ids = satellite.inventory.listVirtualAccounts(account.id).map((va) => va.id);
        return { tag: params.tag, from: isoTime(from), to: isoTime(to), days: satellite.licenseLines.usage(ids, params.tag, from, to).map(toDay) };
      },
    }),
    defineRoute({
      method: 'patch', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName/license-lines/:lineId', tag: TAG, access: 'operator',
      summary: 'Change a local license line (names, quantity, type, start, end)',
      params: lineParams,
      body: z.object({
        displayName: z.string().trim().min(1).max(200).optional(),
        description: z.string().max(1000).optional(),
        quantity: integerField({ min: 0, max: 1_000_000_000 }).optional(),
        type: z.enum(['PERPETUAL', 'TERM', 'SUBSCRIPTION']).optional(),
        start: instantField.optional(),
        end: instantField.nullable().optional(),
      }).strict(),
      response: z.object({ line: licenseLineView }),
      handler: ({ params, body, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        requireLineOf(satellite, virtualAccount.id, params.lineId);
        const line = satellite.licenseLines.update(params.lineId, {
          ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.quantity !== undefined ? { quantity: body.quantity } : {}),
          ...(body.type !== undefined ? { licenseType: body.type } : {}),
          ...(body.start !== undefined ? { startsAt: body.start } : {}),
          ...(body.end !== undefined ? { endsAt: body.end } : {}),
        }, actorOf(principal));
        return { line: toLicenseLineView(line, satellite.clock.now()) };
      },
    }),
    defineRoute({
      method: 'post', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName/license-lines/:lineId/end', tag: TAG, access: 'operator',
      summary: 'End a local license line now, or at `end`',
      params: lineParams, body: z.object({ end: instantField.optional() }).strict(), response: z.object({ line: licenseLineView }),
      handler: ({ params, body, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        requireLineOf(satellite, virtualAccount.id, params.lineId);
        const line = satellite.licenseLines.end(params.lineId, actorOf(principal), body.end);
        return { line: toLicenseLineView(line, satellite.clock.now()) };
      },
    }),
  ];
}

function requireLineOf(satellite: Satellite, virtualAccountId: string, lineId: string): void {
  const line = satellite.uow.read((r) => r.licenses.findLine(lineId));
  if (!line || line.virtualAccountId !== virtualAccountId) throw new NotFoundError('license line', lineId);
  if (line.origin !== 'local') throw new ValidationError(`license line ${lineId} is not a local line`, { field: 'lineId', origin: line.origin });
}
