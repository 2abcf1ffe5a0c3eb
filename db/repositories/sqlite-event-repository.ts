import type { EventQuery, EventRepository } from '../../licensing/events/event-repository.js';
import type { ActorType, EventType, SatelliteEvent } from '../../licensing/events/satellite-event.js';
import type { SqliteDatabase } from '../sqlite-connection.js';

interface EventRow {
  id: number; occurred_at: number; account_id: string | null; va_id: string | null; actor_type: string;
  actor_id: string | null; type: string; message: string; details: string;
}

// Optional filters are written as "(? IS NULL OR column = ?)" so one prepared statement serves every query.
const FILTER = `WHERE (@account IS NULL OR account_id = @account) AND (@va IS NULL OR va_id = @va)
  AND (@type IS NULL OR type = @type) AND (@from IS NULL OR occurred_at >= @from) AND (@to IS NULL OR occurred_at < @to)`;

const filterParams = (q: Omit<EventQuery, 'limit' | 'offset'>) => ({
  account: q.accountId ?? null, va: q.virtualAccountId ?? null, type: q.type ?? null, from: q.from ?? null, to: q.to ?? null,
});

export class SqliteEventRepository implements EventRepository {
  readonly #append;
  readonly #list;
  readonly #count;
  readonly #forTag;

  constructor(db: SqliteDatabase) {
    this.#append = db.prepare(`INSERT INTO events (occurred_at, account_id, va_id, actor_type, actor_id, type, message, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#list = db.prepare<Record<string, unknown>, EventRow>(
      `SELECT * FROM events ${FILTER} ORDER BY occurred_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    );
    this.#count = db.prepare<Record<string, unknown>, { n: number }>(`SELECT COUNT(*) AS n FROM events ${FILTER}`);
    this.#forTag = db.prepare<{ va: string; tag: string; limit: number }, EventRow>(`SELECT * FROM events WHERE va_id = @va
      AND (json_extract(details, '$.tag') = @tag OR EXISTS (SELECT 1 FROM json_each(details, '$.tags') WHERE value = @tag)
        OR EXISTS (SELECT 1 FROM json_each(details, '$.releasedTags') WHERE value = @tag))
      ORDER BY occurred_at DESC, id DESC LIMIT @limit`);
  }

  append(e: SatelliteEvent): void {
    this.#append.run(e.occurredAt, e.accountId, e.virtualAccountId, e.actorType, e.actorId, e.type, e.message,
      JSON.stringify(e.details));
  }

  list(query: EventQuery): SatelliteEvent[] {
    return this.#list.all({ ...filterParams(query), limit: query.limit, offset: query.offset }).map(toEvent);
  }

  listForTag(virtualAccountId: string, tag: string, limit: number): SatelliteEvent[] {
    return this.#forTag.all({ va: virtualAccountId, tag, limit }).map(toEvent);
  }

  count(query: Omit<EventQuery, 'limit' | 'offset'>): number {
    return this.#count.get(filterParams(query))?.n ?? 0;
  }
}

function toEvent(row: EventRow): SatelliteEvent {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    accountId: row.account_id,
    virtualAccountId: row.va_id,
    actorType: row.actor_type as ActorType,
    actorId: row.actor_id,
    type: row.type as EventType,
    message: row.message,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
