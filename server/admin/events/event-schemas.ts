import { z } from 'zod';
import type { EventView } from '../../../licensing/events/event-log-service.js';
import type { CsvColumn } from '../csv-writer.js';
import { exportQueryShape, pagedQueryShape, pageInfoShape, queryInstant } from '../shared/paged-query.js';
import { isoTime, nameParam } from '../shared/request-fields.js';

const filterShape = {
  type: z.string().trim().regex(/^[A-Z][A-Z0-9_]{0,63}$/, { error: 'expected an event type such as PRODUCT_INSTANCE_REGISTERED' })
    .optional().describe('only events of this type'),
  virtualAccount: nameParam.optional().describe('only events of this virtual account (by name)'),
  from: queryInstant.optional().describe('events at or after this time (epoch ms or ISO 8601)'),
  to: queryInstant.optional().describe('events before this time (epoch ms or ISO 8601)'),
};

export const eventListQuery = z.strictObject({ ...filterShape, ...pagedQueryShape });
export const eventExportQuery = z.strictObject({ ...filterShape, ...exportQueryShape });
/** The satellite-wide log has no virtual account filter: VA names are only unique within an account. */
export const satelliteEventListQuery = z.strictObject({
  type: filterShape.type, from: filterShape.from, to: filterShape.to, ...pagedQueryShape,
});
export type EventListQuery = z.output<typeof eventListQuery>;

export const eventSchema = z.object({
  id: z.number().int(),
  occurredAt: z.string(),
  account: z.string().nullable(),
  virtualAccount: z.string().nullable(),
  actorType: z.enum(['user', 'device', 'system', 'upstream']),
  actorId: z.string().nullable(),
  type: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const eventListResponse = z.object({ events: z.array(eventSchema), ...pageInfoShape });

export function eventView(e: EventView): z.output<typeof eventSchema> {
  return {
    id: e.id ?? 0, occurredAt: isoTime(e.occurredAt), account: e.accountName, virtualAccount: e.virtualAccountName,
    actorType: e.actorType, actorId: e.actorId, type: e.type, message: e.message, details: e.details,
  };
}

export const EVENT_CSV_COLUMNS: ReadonlyArray<CsvColumn<EventView>> = [
  { header: 'id', value: (e) => e.id ?? null },
  { header: 'occurred_at', value: (e) => isoTime(e.occurredAt) },
  { header: 'account', value: (e) => e.accountName },
  { header: 'virtual_account', value: (e) => e.virtualAccountName },
  { header: 'actor_type', value: (e) => e.actorType },
  { header: 'actor_id', value: (e) => e.actorId },
  { header: 'type', value: (e) => e.type },
  { header: 'message', value: (e) => e.message },
  { header: 'details', value: (e) => JSON.stringify(e.details) },
];
