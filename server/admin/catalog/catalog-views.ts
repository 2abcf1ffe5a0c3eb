import { z } from 'zod';
import type { CatalogEntry } from '../../../licensing/catalog/catalog-entry.js';
import { isoTime } from '../shared/request-fields.js';

export const catalogEntryView = z.object({
  tag: z.string(),
  displayName: z.string(),
  description: z.string(),
  substitutionLevel: z.number().int().nullable().describe('a larger level is a higher tier'),
  substitutes: z.array(z.string()).describe('the lower tags this tier may stand in for'),
  origin: z.enum(['local', 'upstream']).describe('upstream entries are replaced at every import'),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

export function toCatalogEntryView(e: CatalogEntry): z.infer<typeof catalogEntryView> {
  return {
    tag: e.tag, displayName: e.displayName, description: e.description, substitutionLevel: e.substitutionLevel,
    substitutes: e.substitutes, origin: e.origin, updatedAt: isoTime(e.updatedAt), updatedBy: e.updatedBy,
  };
}
