import type { AlertTriggers } from '../alerts/alert-triggers.js';
import type { SatelliteEvent } from '../events/satellite-event.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/domain-error.js';
import type { IdGenerator } from '../shared/id-generator.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { LicenseLine, LicenseType } from './license-line.js';
import type { LicenseConsumer } from './license-repository.js';
import { poolsOf } from './license-pool-service.js';
import type { PoolView } from './pool-summary.js';
import { utcDay, type UsageDay } from './usage-history.js';

export interface LineChanges {
  displayName?: string;
  description?: string;
  quantity?: number;
  licenseType?: LicenseType;
  startsAt?: number;
  endsAt?: number | null;
}

export interface LicenseDetail {
  pool: PoolView;
  consumers: LicenseConsumer[];
  events: SatelliteEvent[];
}

export interface LicenseLineServiceDeps { uow: UnitOfWork; clock: Clock; newId: IdGenerator; alerts: AlertTriggers }

/** The most consumers and events a license detail lists; the instance inventory pages the rest. */
export const DETAIL_LIMIT = 200;
/** The longest range one usage-history query may span. */
export const USAGE_RANGE_MAX_DAYS = 731;

/**
 * Local license lines after they were added (change, end), a license's detail, and its usage history.
 * Upstream and transfer lines are not edited here: the upstream owns the first, a transfer the second.
 */
export class LicenseLineService {
  readonly #deps: LicenseLineServiceDeps;

  constructor(deps: LicenseLineServiceDeps) {
    this.#deps = deps;
  }

  update(lineId: string, changes: LineChanges, actorId: string): LicenseLine {
    const now = this.#deps.clock.now();
    return this.#deps.uow.write((repos) => {
      const line = requireLocalLine(repos.licenses.findLine(lineId), lineId, 'changed');
      const updated: LicenseLine = {
        ...line,
        displayName: changes.displayName?.trim() ?? line.displayName,
        description: changes.description ?? line.description,
        quantity: changes.quantity ?? line.quantity,
        licenseType: changes.licenseType ?? line.licenseType,
        startsAt: changes.startsAt ?? line.startsAt,
        endsAt: changes.endsAt === undefined ? line.endsAt : changes.endsAt,
      };
      validate(updated);
      // Adding a line allows a term without an end (as before); turning a line into one must say when it ends.
      if (changes.licenseType !== undefined && changes.licenseType !== line.licenseType && updated.licenseType !== 'PERPETUAL' && updated.endsAt === null) {
        throw new ValidationError(`a ${updated.licenseType} line needs an end`, { field: 'end' });
      }
      repos.licenses.updateLocalLine(updated);
      const va = repos.accounts.findVirtualAccountById(line.virtualAccountId);
      repos.events.append({
        occurredAt: now, accountId: va?.accountId ?? null, virtualAccountId: line.virtualAccountId, actorType: 'user', actorId,
        type: 'LICENSE_LINE_UPDATED', message: `${updated.displayName} line ${line.id} changed: ${updated.quantity} x ${updated.licenseType}`,
        details: { tag: line.tag, lineId: line.id, before: snapshot(line), after: snapshot(updated) },
      });
      this.#deps.alerts.poolsChanged(repos, line.virtualAccountId, [line.tag], now);
      return updated;
    });
  }

  /** Ends a local line now (or at `at`): the pool loses it at that moment, devices or not. */
  end(lineId: string, actorId: string, at?: number): LicenseLine {
    const now = this.#deps.clock.now();
    const endsAt = at ?? now;
    return this.#deps.uow.write((repos) => {
      const line = requireLocalLine(repos.licenses.findLine(lineId), lineId, 'ended');
      if (line.endsAt !== null && line.endsAt <= now) throw new ConflictError(`license line ${lineId} already ended at ${new Date(line.endsAt).toISOString()}`);
      if (endsAt <= line.startsAt) throw new ValidationError('end must be after the line\'s start', { field: 'end' });
      const ended: LicenseLine = { ...line, endsAt };
      repos.licenses.updateLocalLine(ended);
      const va = repos.accounts.findVirtualAccountById(line.virtualAccountId);
      repos.events.append({
        occurredAt: now, accountId: va?.accountId ?? null, virtualAccountId: line.virtualAccountId, actorType: 'user', actorId,
        type: 'LICENSE_LINE_ENDED', message: `${line.quantity} x ${line.displayName} end${endsAt <= now ? 'ed' : 's'} at ${new Date(endsAt).toISOString()}`,
        details: { tag: line.tag, lineId: line.id, endsAt },
      });
      this.#deps.alerts.poolsChanged(repos, line.virtualAccountId, [line.tag], now);
      return ended;
    });
  }

  /** One VA's pool for a tag with its lines, the instances consuming it and its events; null when the VA has no such pool. */
  detail(virtualAccountId: string, tag: string): LicenseDetail | null {
    const now = this.#deps.clock.now();
    return this.#deps.uow.read((repos) => {
      const pool = poolsOf(repos, virtualAccountId, now).find((p) => p.tag === tag);
      if (!pool) return null;
      return {
        pool, consumers: repos.licenses.listConsumers(virtualAccountId, tag, DETAIL_LIMIT),
        events: repos.events.listForTag(virtualAccountId, tag, DETAIL_LIMIT),
      };
    });
  }

  /** Days of [from, to] (UTC days, both included) for which the VA's pool has a row, oldest first. */
  usage(virtualAccountIds: readonly string[], tag: string, from: number, to: number): UsageDay[] {
    const fromDay = utcDay(from);
    const toDay = utcDay(to);
    if (toDay < fromDay) throw new ValidationError('to must not be before from', { field: 'to' });
    if (toDay - fromDay > USAGE_RANGE_MAX_DAYS * 86_400_000) throw new ValidationError(`a range spans at most ${USAGE_RANGE_MAX_DAYS} days`, { field: 'from' });
    return this.#deps.uow.read((repos) => sumByDay(virtualAccountIds.flatMap((id) => repos.usageHistory.range(id, tag, fromDay, toDay))));
  }
}

/** Several VAs' rows of one day become one (account views): peaks, purchases and balances added up. */
function sumByDay(days: readonly UsageDay[]): UsageDay[] {
  const byDay = new Map<number, UsageDay>();
  for (const d of days) {
    const row = byDay.get(d.day);
    if (!row) byDay.set(d.day, { ...d });
    else {
      row.peakInUse += d.peakInUse;
      row.purchased += d.purchased;
      row.balance += d.balance;
    }
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}

function requireLocalLine(line: LicenseLine | undefined, lineId: string, verb: string): LicenseLine {
  if (!line) throw new NotFoundError('license line', lineId);
  if (line.origin !== 'local') {
    throw new ConflictError(`license line ${lineId} is ${line.origin === 'upstream' ? 'the upstream\'s' : 'part of a transfer'} and cannot be ${verb} here`, { origin: line.origin });
  }
  return line;
}

function validate(line: LicenseLine): void {
  if (line.displayName.length === 0 || line.displayName.length > 200) throw new ValidationError('displayName must be 1-200 characters', { field: 'displayName' });
  if (line.description.length > 1000) throw new ValidationError('description is longer than 1000 characters', { field: 'description' });
  if (!Number.isInteger(line.quantity) || line.quantity < 0 || line.quantity > 1_000_000_000) {
    throw new ValidationError('quantity must be a whole number from 0 to 1,000,000,000', { field: 'quantity' });
  }
  if (line.endsAt !== null && line.endsAt <= line.startsAt) throw new ValidationError('end must be after start', { field: 'end' });
}

function snapshot(line: LicenseLine): Record<string, unknown> {
  return { displayName: line.displayName, quantity: line.quantity, type: line.licenseType, startsAt: line.startsAt, endsAt: line.endsAt };
}
