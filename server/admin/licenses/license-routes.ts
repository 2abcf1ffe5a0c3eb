import { z } from 'zod';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount, accessibleVirtualAccount } from '../account-access.js';
import { CsvDocument, defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf, fileSafe } from '../shared/route-helpers.js';
import { toCsv, type CsvColumn } from '../csv-writer.js';
import { accountParams, instantField, integerField, virtualAccountParams } from '../shared/request-fields.js';
import { toolkitListRoutes } from '../shared/toolkit-list-routes.js';
import {
  accountLicenseRow, licenseLineView, poolRow, toAccountLicenseRow, toLicenseLineView, toPoolRow, toToolkitLicenseRow, toolkitLicenseRow,
} from './license-views.js';

const TAG = 'Licenses';
const toolkitResponse = z.object({ licenses: z.array(toolkitLicenseRow) });

const CSV_COLUMNS: ReadonlyArray<CsvColumn<z.infer<typeof accountLicenseRow>>> = [
  { header: 'License', value: (r) => r.license },
  { header: 'Tag', value: (r) => r.tag },
  { header: 'Billing', value: (r) => r.billing },
  { header: 'Quantity', value: (r) => r.quantity },
  { header: 'In Use', value: (r) => r.inUse },
  { header: 'Reserved', value: (r) => r.reserved },
  { header: 'Substitution', value: (r) => r.substitution },
  { header: 'Available', value: (r) => r.available },
  { header: 'Status', value: (r) => r.status },
];

/**
 * License views: the toolkit's per-account list (POST with `{ "limit": -1 }`, or GET with the same as query),
 * its CSV export, each VA's pools with the lines behind them, and adding a local line.
 */
export function licenseRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    ...toolkitListRoutes(satellite, {
      resource: 'licenses', tag: TAG, summary: 'Licenses of an account, one row per license', response: toolkitResponse,
      rows: (account) => satellite.licensePools.accountLicenses(account.id).map(toToolkitLicenseRow),
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/licenses/export.csv', tag: TAG, access: 'viewer',
      summary: 'The account license list as CSV (RFC 4180)',
      params: accountParams, response: 'csv',
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const rows = satellite.licensePools.accountLicenses(account.id).map(toAccountLicenseRow);
        return new CsvDocument(`licenses-${fileSafe(account.name)}.csv`, toCsv(CSV_COLUMNS, rows));
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/license-table', tag: TAG, access: 'viewer',
      summary: 'The account license table: one row per license with billing, in use (reserved), substitution, balance and alerts',
      params: accountParams, response: z.object({ licenses: z.array(accountLicenseRow) }),
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        return { licenses: satellite.licensePools.accountLicenses(account.id).map(toAccountLicenseRow) };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName/licenses', tag: TAG, access: 'viewer',
      summary: 'License pools of a virtual account, per tag (the seeds\' license table), with the lines behind each',
      params: virtualAccountParams, response: z.object({ licenses: z.array(poolRow) }),
      handler: ({ params, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const now = satellite.clock.now();
        return { licenses: satellite.licensePools.virtualAccountPools(virtualAccount.id).map((pool) => toPoolRow(pool, now)) };
      },
    }),
    defineRoute({
      method: 'post', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName/license-lines', tag: TAG,
      access: 'operator', successStatus: 201,
      summary: 'Add a local license line to a virtual account',
      params: virtualAccountParams,
      body: z.object({
        tag: z.string().trim().min(1).max(500),
        displayName: z.string().trim().min(1).max(200),
        description: z.string().max(1000).optional(),
        quantity: integerField({ min: 1, max: 1_000_000_000 }),
        type: z.enum(['PERPETUAL', 'TERM', 'SUBSCRIPTION']).optional(),
        start: instantField.optional().describe('default now'),
        end: instantField.nullable().optional().describe('null or absent for no end'),
      }),
      response: z.object({ line: licenseLineView }),
      handler: ({ params, body, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const line = satellite.inventory.addLicenseLine(virtualAccount.id, {
          tag: body.tag, displayName: body.displayName, quantity: body.quantity,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.type !== undefined ? { licenseType: body.type } : {}),
          ...(body.start !== undefined ? { startsAt: body.start } : {}),
          ...(body.end !== undefined ? { endsAt: body.end } : {}),
        }, actorOf(principal));
        return { line: toLicenseLineView(line, satellite.clock.now()) };
      },
    }),
  ];
}
