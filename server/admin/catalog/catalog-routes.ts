import { z } from 'zod';
import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { actorOf } from '../shared/route-helpers.js';
import { integerField } from '../shared/request-fields.js';
import { catalogEntryView, toCatalogEntryView } from './catalog-views.js';

const TAG = 'Catalog';

/** The satellite-wide catalog (DESIGN §8.2): readable by any signed-in role, edited by admins. */
export function catalogRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/catalog', tag: TAG, access: 'viewer',
      summary: 'The satellite-wide catalog: names and substitution ladders per tag',
      response: z.object({ entries: z.array(catalogEntryView) }),
      handler: () => ({ entries: satellite.catalog.list().map(toCatalogEntryView) }),
    }),
    defineRoute({
      method: 'put', path: '/catalog/:tag', tag: TAG, access: 'admin',
      summary: 'Create or replace a catalog entry (its ladder drives substitution in every virtual account)',
      params: z.object({ tag: z.string().min(1).max(256) }),
      body: z.object({
        displayName: z.string().trim().min(1).max(300),
        description: z.string().max(1000).optional(),
        substitutionLevel: integerField({ min: 0, max: 1000 }).nullable().optional(),
        substitutes: z.array(z.string().trim().min(1).max(256)).max(32).optional(),
      }).strict(),
      response: z.object({ entry: catalogEntryView }),
      handler: ({ params, body, principal }) => ({
        entry: toCatalogEntryView(satellite.catalog.set(params.tag, {
          displayName: body.displayName,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.substitutionLevel !== undefined ? { substitutionLevel: body.substitutionLevel } : {}),
          ...(body.substitutes !== undefined ? { substitutes: body.substitutes } : {}),
        }, actorOf(principal))),
      }),
    }),
  ];
}
