import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { EventQuery } from './event-repository.js';
import type { SatelliteEvent } from './satellite-event.js';

export interface EventView extends SatelliteEvent {
  accountName: string | null;
  virtualAccountName: string | null;
}

export interface EventPage {
  events: EventView[];
  total: number;
}

/** The event log as admins read it: filtered and paged in SQL, with account names resolved for display. */
export class EventLogService {
  readonly #uow: UnitOfWork;

  constructor(deps: { uow: UnitOfWork }) {
    this.#uow = deps.uow;
  }

  list(query: EventQuery): EventPage {
    return this.#uow.read((repos) => {
      const events = repos.events.list(query);
      // A page names few distinct accounts; look each up once.
      const accounts = new Map<string, string | null>();
      const vas = new Map<string, string | null>();
      const accountName = (id: string | null): string | null => {
        if (id === null) return null;
        if (!accounts.has(id)) accounts.set(id, repos.accounts.findAccountById(id)?.name ?? null);
        return accounts.get(id) ?? null;
      };
      const vaName = (id: string | null): string | null => {
        if (id === null) return null;
        if (!vas.has(id)) vas.set(id, repos.accounts.findVirtualAccountById(id)?.name ?? null);
        return vas.get(id) ?? null;
      };
      return {
        events: events.map((e) => ({ ...e, accountName: accountName(e.accountId), virtualAccountName: vaName(e.virtualAccountId) })),
        total: repos.events.count(query),
      };
    });
  }
}
