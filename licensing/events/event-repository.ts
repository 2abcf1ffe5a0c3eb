import type { SatelliteEvent } from './satellite-event.js';

export interface EventQuery {
  accountId?: string;
  virtualAccountId?: string;
  type?: string;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface EventRepository {
  append(event: SatelliteEvent): void;
  list(query: EventQuery): SatelliteEvent[];
  count(query: Omit<EventQuery, 'limit' | 'offset'>): number;
  /** Newest first: events of the VA whose details name the tag (`tag`, or one of `tags`). */
  listForTag(virtualAccountId: string, tag: string, limit: number): SatelliteEvent[];
}
