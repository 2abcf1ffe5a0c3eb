import { z } from 'zod';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount, accessibleVirtualAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { accountParams, nameParam, virtualAccountParams } from '../shared/request-fields.js';
import { toVirtualAccountView, virtualAccountView } from './account-views.js';

const TAG = 'Virtual accounts';
const description = z.string().max(500);

/**
 * Virtual accounts of an account. Creating one is the API toolkit's `POST .../virtual-accounts` with
 * `{ name, description }`; like the toolkit's other calls it answers 200.
 */
export function virtualAccountRoutes(satellite: Satellite): AdminRouteSpec[] {
  const { inventory } = satellite;
  return [
    defineRoute({
      method: 'get', path: '/accounts/:accountName/virtual-accounts', tag: TAG, access: 'viewer',
      summary: 'List the virtual accounts of an account',
      params: accountParams,
      response: z.object({ virtualAccounts: z.array(virtualAccountView) }),
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        return { virtualAccounts: inventory.listVirtualAccounts(account.id).map(toVirtualAccountView) };
      },
    }),
    defineRoute({
      method: 'post', path: '/accounts/:accountName/virtual-accounts', tag: TAG, access: 'operator',
      summary: 'Create a virtual account (API toolkit; JSON or form)',
      params: accountParams, acceptsForm: true,
      body: z.object({ name: nameParam, description: description.optional() }),
      response: z.object({ virtualAccount: virtualAccountView }),
      handler: ({ params, body, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const va = inventory.createVirtualAccount(account.name, body.name, body.description ?? '', actorOf(principal));
        return { virtualAccount: toVirtualAccountView(va) };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName', tag: TAG, access: 'viewer',
      summary: 'One virtual account',
      params: virtualAccountParams,
      response: z.object({ virtualAccount: virtualAccountView }),
      handler: ({ params, principal }) => ({
        virtualAccount: toVirtualAccountView(
          accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName).virtualAccount,
        ),
      }),
    }),
    defineRoute({
      method: 'patch', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName', tag: TAG, access: 'operator',
      summary: 'Rename a virtual account or change its description',
      params: virtualAccountParams,
      body: z.object({ name: nameParam.optional(), description: description.optional() }),
      response: z.object({ virtualAccount: virtualAccountView }),
      handler: ({ params, body, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const changes = {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
        };
        return { virtualAccount: toVirtualAccountView(inventory.updateVirtualAccount(virtualAccount.id, changes, actorOf(principal))) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/accounts/:accountName/virtual-accounts/:virtualAccountName', tag: TAG, access: 'operator',
      successStatus: 204,
      summary: 'Delete an empty virtual account (409 names the product instances, licenses and tokens still there)',
      params: virtualAccountParams,
      response: z.undefined(),
      handler: ({ params, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        inventory.deleteVirtualAccount(virtualAccount.id, actorOf(principal));
      },
    }),
  ];
}
