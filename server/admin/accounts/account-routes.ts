import { z } from 'zod';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { canAccessAccount } from '../../../licensing/users/principal.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { accountParams, nameParam } from '../shared/request-fields.js';
import { accountView, toAccountView, toVirtualAccountView, virtualAccountView } from './account-views.js';

const TAG = 'Accounts';
const accountBody = z.object({ name: nameParam });

/** Local accounts: list (scoped), create, rename, delete when empty (DESIGN §3). */
export function accountRoutes(satellite: Satellite): AdminRouteSpec[] {
  const { inventory } = satellite;
  const view = (account: Parameters<typeof toAccountView>[0]) =>
    toAccountView(account, inventory.listVirtualAccounts(account.id).length, satellite.reservations.isEnabled(account.id));
  return [
    defineRoute({
      method: 'get', path: '/accounts', tag: TAG, access: 'viewer',
      summary: 'List the accounts this principal may see',
      response: z.object({ accounts: z.array(accountView) }),
      handler: ({ principal }) => ({
        accounts: inventory.listAccounts().filter((a) => !principal || canAccessAccount(principal, a.id)).map(view),
      }),
    }),
    defineRoute({
      method: 'post', path: '/accounts', tag: TAG, access: 'admin', successStatus: 201,
      summary: 'Create a local account (admins without an account scope)',
      body: accountBody,
      response: z.object({ account: accountView }),
      handler: ({ body, principal }) => {
        // A scoped admin could not see the account it created; accounts are the unscoped admin's business.
        if (principal && principal.accountScope !== null) {
          throw new DomainError('FORBIDDEN', `creating accounts needs an admin without an account scope; ${principal.name} is scoped`);
        }
        return { account: view(inventory.createAccount(body.name, actorOf(principal))) };
      },
    }),
    defineRoute({
      method: 'get', path: '/accounts/:accountName', tag: TAG, access: 'viewer',
      summary: 'One account with its virtual accounts',
      params: accountParams,
      response: z.object({ account: accountView.extend({ virtualAccounts: z.array(virtualAccountView) }) }),
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        const vas = inventory.listVirtualAccounts(account.id);
        return { account: { ...toAccountView(account, vas.length, satellite.reservations.isEnabled(account.id)), virtualAccounts: vas.map(toVirtualAccountView) } };
      },
    }),
    defineRoute({
      method: 'patch', path: '/accounts/:accountName', tag: TAG, access: 'admin',
      summary: 'Rename an account, or allow license reservation in it (reservationEnabled)',
      params: accountParams,
      body: z.object({
        name: nameParam.optional(),
        reservationEnabled: z.boolean().optional().describe('as Cisco\'s Specific PLR pre-approval; logged as an event'),
      }).refine((b) => b.name !== undefined || b.reservationEnabled !== undefined, { error: 'give name or reservationEnabled' }),
      response: z.object({ account: accountView }),
      handler: ({ params, body, principal }) => {
        let account = accessibleAccount(satellite, principal, params.accountName);
        // The rename can be refused (a taken name); the flag cannot, so it goes second and nothing is half-applied.
        if (body.name !== undefined) account = inventory.renameAccount(account.id, body.name, actorOf(principal));
        if (body.reservationEnabled !== undefined) satellite.reservations.setEnabled(account.id, body.reservationEnabled, actorOf(principal));
        return { account: view(account) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/accounts/:accountName', tag: TAG, access: 'admin', successStatus: 204,
      summary: 'Delete an account that has no virtual accounts (409 names the ones left)',
      params: accountParams,
      response: z.undefined(),
      handler: ({ params, principal }) => {
        const account = accessibleAccount(satellite, principal, params.accountName);
        inventory.deleteAccount(account.id, actorOf(principal));
      },
    }),
  ];
}
