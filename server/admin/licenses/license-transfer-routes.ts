import { z } from 'zod';
import type { LicenseTransfer } from '../../../licensing/licenses/license-transfer.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { accountParams, integerField, isoTime, nameParam, pagingSchema, sqlPage } from '../shared/request-fields.js';
import { licenseLineView, toLicenseLineView } from './license-views.js';

const TAG = 'Licenses';

const transferView = z.object({
  id: z.string(),
  tag: z.string(),
  from: z.string().describe('virtual account name (its id once that VA is deleted)'),
  to: z.string(),
  quantity: z.number().int(),
  createdAt: z.string().describe('ISO 8601'),
  createdBy: z.string(),
});

/**
 * License transfers between virtual accounts of one account. A transfer never takes the source pool below
 * what its product instances use (409 with the numbers) and is written in one transaction.
 */
export function licenseTransferRoutes(satellite: Satellite): AdminRouteSpec[] {
  const view = (transfer: LicenseTransfer, names: ReadonlyMap<string, string>): z.infer<typeof transferView> => ({
    id: transfer.id, tag: transfer.tag,
    from: names.get(transfer.fromVirtualAccountId) ?? transfer.fromVirtualAccountId,
    to: names.get(transfer.toVirtualAccountId) ?? transfer.toVirtualAccountId,
    quantity: transfer.quantity, createdAt: isoTime(transfer.createdAt), createdBy: transfer.createdBy,
  });
  const vaNames = (accountId: string) => new Map(satellite.inventory.listVirtualAccounts(accountId).map((va) => [va.id, va.name]));
  return [
    defineRoute({
      method: 'post', path: '/accounts/:accountName/license-transfers', tag: TAG, access: 'operator', successStatus: 201,
      summary: 'Transfer licenses of one tag between two virtual accounts of the account',
      params: accountParams,
      body: z.object({
        from: nameParam.describe('source virtual account name'),
        to: nameParam.describe('destination virtual account name'),
        tag: z.string().trim().min(1).max(500),
        quantity: integerField({ min: 1, max: 1_000_000_000 }),
      }),
      response: z.object({ transfer: transferView.extend({ lines: z.array(licenseLineView.extend({ virtualAccount: z.string() })) }) }),
      handler: ({ params, body, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const result = satellite.licenseTransfers.transfer({ accountId: account.id, ...body, actorId: actorOf(principal) });
        const names = new Map([[result.from.id, result.from.name], [result.to.id, result.to.name]]);
        const now = satellite.clock.now();
        return {
          transfer: {
            ...view(result.transfer, names),
            lines: result.lines.map((line) => ({ ...toLicenseLineView(line, now), virtualAccount: names.get(line.virtualAccountId) ?? line.virtualAccountId })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/license-transfers', tag: TAG, access: 'viewer',
      summary: 'License transfers of the account, newest first',
      params: accountParams, query: pagingSchema,
      response: z.object({ transfers: z.array(transferView) }),
      handler: ({ params, query, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const { limit, offset } = sqlPage(query);
        const names = vaNames(account.id);
        return { transfers: satellite.licenseTransfers.list(account.id, limit, offset).map((t) => view(t, names)) };
      },
    }),
  ];
}
