import { z } from 'zod';
import { tokenState, type RegistrationToken } from '../../../licensing/tokens/registration-token.js';
import type { Satellite } from '../../composition-root.js';
import { accessibleVirtualAccount } from '../account-access.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { integerField, isoTime, nameParam, page, pagingSchema, virtualAccountParams } from '../shared/request-fields.js';

const TAG = 'Tokens';
const exportControlled = z.enum(['Allowed', 'Not Allowed']);

/** The toolkit's answer to a create: the secret, shown this once, and the token's terms. */
const tokenInfo = z.object({
  token: z.string().describe('the secret a device sends in REGISTER; shown once, only its digest is kept'),
  description: z.string(),
  expirationDate: z.string().describe('ISO 8601'),
  exportControlled,
  maxUses: z.number().int().nullable().describe('null: unlimited'),
});

const tokenListEntry = z.object({
  id: z.string(),
  description: z.string(),
  created: z.string().describe('ISO 8601'),
  expirationDate: z.string().describe('ISO 8601'),
  exportControlled,
  maxUses: z.number().int().nullable(),
  uses: z.number().int(),
  status: z.enum(['ACTIVE', 'EXPIRED', 'REVOKED', 'EXHAUSTED']),
});

const exportWord = (token: RegistrationToken) => (token.exportControlledAllowed ? 'Allowed' : 'Not Allowed') as z.infer<typeof exportControlled>;

function toListEntry(token: RegistrationToken, now: number): z.infer<typeof tokenListEntry> {
  return {
    id: token.id, description: token.description, created: isoTime(token.createdAt), expirationDate: isoTime(token.expiresAt),
    exportControlled: exportWord(token), maxUses: token.maxUses, uses: token.uses, status: tokenState(token, now),
  };
}

const tokensPath = '/accounts/:accountName/virtual-accounts/:virtualAccountName/tokens';

/** Registration tokens of a VA (API toolkit): create (200, as the toolkit expects), list without secrets, revoke. */
export function tokenRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'post', path: tokensPath, tag: TAG, access: 'operator',
      summary: 'Create a registration token (API toolkit; JSON or form); the secret is in this answer only',
      params: virtualAccountParams, acceptsForm: true,
      body: z.object({
        description: z.string().max(500).optional(),
        expiresAfterDays: integerField({ min: 1, max: 365 }).optional().describe(`1-365, default ${satellite.timers.tokenDefaultExpiryDays}`),
        exportControlled: exportControlled.optional().describe('default Allowed'),
        maxUses: integerField({ min: 1, max: 1_000_000_000 }).nullable().optional().describe('absent or null: unlimited'),
      }),
      response: z.object({ tokenInfo }),
      handler: ({ params, body, principal, res }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const { token, secret } = satellite.tokens.create({
          virtualAccountId: virtualAccount.id,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.expiresAfterDays !== undefined ? { expiresAfterDays: body.expiresAfterDays } : {}),
          maxUses: body.maxUses ?? null,
          exportControlledAllowed: (body.exportControlled ?? 'Allowed') === 'Allowed',
          createdBy: actorOf(principal),
        });
        // The contract's body has no id; the Location header gives one for a later revoke.
        res.location(`${res.req.baseUrl}${res.req.path}/${encodeURIComponent(token.id)}`);
        return {
          tokenInfo: {
            token: secret, description: token.description, expirationDate: isoTime(token.expiresAt),
            exportControlled: exportWord(token), maxUses: token.maxUses,
          },
        };
      },
    }),
    defineRoute({
      method: 'get', path: tokensPath, tag: TAG, access: 'viewer',
      summary: 'List the registration tokens of a virtual account (never their secrets)',
      params: virtualAccountParams, query: pagingSchema,
      response: z.object({ tokens: z.array(tokenListEntry) }),
      handler: ({ params, query, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const now = satellite.clock.now();
        return { tokens: page(satellite.tokens.list(virtualAccount.id), query).map((t) => toListEntry(t, now)) };
      },
    }),
    defineRoute({
      method: 'delete', path: `${tokensPath}/:tokenId`, tag: TAG, access: 'operator',
      summary: 'Revoke a registration token; devices can no longer register with it, at once',
      params: virtualAccountParams.extend({ tokenId: nameParam }),
      response: z.object({ token: tokenListEntry }),
      handler: ({ params, principal }) => {
        const { virtualAccount } = accessibleVirtualAccount(satellite, principal, params.accountName, params.virtualAccountName);
        const token = satellite.tokens.revoke(params.tokenId, actorOf(principal), virtualAccount.id);
        return { token: toListEntry(token, satellite.clock.now()) };
      },
    }),
  ];
}
