import type { Account } from '../accounts/account.js';
import { isLineActive } from '../licenses/license-line.js';
import type { Clock } from '../shared/clock.js';
import { NotFoundError } from '../shared/domain-error.js';
import type { Repositories, UnitOfWork } from '../shared/unit-of-work.js';
import type { InstanceFilter, InstanceKey, InstanceQuery } from './instance-inventory-repository.js';
import type { InstanceDetail, InstanceExportRow, InstancePage, InstanceSummary } from './instance-views.js';
import type { ProductInstance } from './product-instance.js';
import { heldSeats } from '../reservations/reservation.js';

/** Counts stop here unless asked for an exact one: past it, total says "at least this many" (totalExact false). */
export const COUNT_CAP = 10_000;
/** A selective filter (prefix search, serial, PID, tag) matching at most this many is answered through its index. */
export const SELECTIVE_CAP = 2_000;
/**
 * Index entries per window. Windows whose filters are all in the sort index read no rows, so they can be
 * long; others read a row per entry. Either way one window is a few milliseconds at most (docs/performance.md).
 */
export const WINDOW_INDEX_ONLY = 10_000;
export const WINDOW_WITH_ROWS = 1_000;
/** Export windows read every row they match (~3–4 µs each at 1M: a window is ~1 ms of the reader's time). */
export const EXPORT_WINDOW = 250;
/**
 * A walk's first window: a page seldom needs 10,000 index entries to find its rows, and on a cold page cache
 * reading them was most of a first page (at 1M, 201 of 255 ms in four VAs). Windows then grow fourfold up to
 * the walk's size, so a sparse filter still reaches full windows after a few short ones.
 */
export const FIRST_WINDOW = 256;
const WINDOW_GROWTH = 4;

export type CountMode = 'capped' | 'exact';

/** A read through the shared connection, or through an export's snapshot. */
type Reader = <T>(work: (repos: Repositories) => T) => T;

/** How a walk reads its rows, and the sort key of one (where the next window starts after a full read). */
interface RowShape<R> {
  window(repo: Repositories['instanceInventory'], query: InstanceQuery, end: InstanceKey | null): R[];
  keyOf(row: R): InstanceKey;
}
const SUMMARIES: RowShape<InstanceSummary> = {
  window: (repo, query, end) => repo.listWindow(query, end),
  keyOf: (row) => ({ lastContactAt: row.instance.lastContactAt, id: row.instance.id }),
};
const EXPORT_ROWS: RowShape<InstanceExportRow> = {
  window: (repo, query, end) => repo.exportWindow(query, end),
  keyOf: (row) => ({ lastContactAt: row[12], id: row[0] }),
};

const nextTurn = (): Promise<void> => new Promise((resolve) => {
  setImmediate(resolve);
});

/**
 * The product instance inventory as admins read it: always within one account. Reads that may cover many
 * instances walk the sort index in bounded windows, each its own short read, and give the event loop back
 * between windows, so devices are answered while an admin lists, counts or exports a million instances.
 * Consecutive windows of a list page may see writes committed between them (a page is not a snapshot; each row
 * is); an export and an exact count each read one snapshot where the database has a file to open it on.
 */
export class InstanceQueryService {
  readonly #uow: UnitOfWork;
  readonly #clock: Clock;
  readonly #yieldTurn: () => Promise<void>;
  /** A read through the shared connection: each window its own short read. */
  readonly #shared: Reader = (work) => this.#uow.read(work);

  constructor(deps: { uow: UnitOfWork; clock: Clock; yieldTurn?: () => Promise<void> }) {
    this.#uow = deps.uow;
    this.#clock = deps.clock;
    this.#yieldTurn = deps.yieldTurn ?? nextTurn;
  }

  /** One page, the key to continue after it (null on the last page), and the total (capped unless asked). */
  async list(query: InstanceQuery, count: CountMode = 'capped'): Promise<InstancePage> {
    const rows = await this.#page({ ...query, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const instances = more ? rows.slice(0, query.limit) : rows;
    const last = instances.at(-1);
    // One past the cap tells "more than COUNT_CAP" from "exactly COUNT_CAP".
    const total = await this.count(query, count === 'exact' ? Number.MAX_SAFE_INTEGER : COUNT_CAP + 1);
    return {
      instances, total: Math.min(total, count === 'exact' ? total : COUNT_CAP), totalExact: count === 'exact' || total <= COUNT_CAP,
      next: more && last ? { lastContactAt: last.instance.lastContactAt, id: last.instance.id } : null,
    };
  }

  /** Matching instances, counted no further than `cap`. */
  async count(filter: InstanceFilter, cap: number = Number.MAX_SAFE_INTEGER): Promise<number> {
    if (this.#selective(filter)) return Math.min(cap, this.#uow.read((r) => r.instanceInventory.countSelective(filter)));
    // A capped count through the selective index is at most COUNT_CAP + 1 row reads in one statement; an exact
    // one may be O(instances), so it keeps to the windows below.
    if (cap <= COUNT_CAP + 1) {
      const through = this.#uow.read((r) => r.instanceInventory.countThrough(filter, cap));
      if (through !== null) return through;
    }
    // An exact count walks one snapshot, as the export does: a device reporting between two windows moves to the
    // newest end of the order, which the walk has passed, and was not counted (x-total-count fell 4 short of the
    // export's rows at 1M). A capped count (a list's total) is at most COUNT_CAP + 1 rows and keeps to the shared
    // connection: a second one per page would cost every list request its open.
    const { read, close } = cap > COUNT_CAP + 1 ? this.#snapshotReader() : { read: this.#shared, close: () => undefined };
    try {
      let total = 0;
      for (const va of this.#virtualAccounts(filter, read)) {
        const scoped = { ...filter, virtualAccountId: va };
        const size = windowOf(read, scoped);
        let after: InstanceKey | undefined;
        for (let more = true; more && total < cap;) {
          const step = read((r) => {
            const end = r.instanceInventory.windowEnd(scoped, '-lastContact', after, size);
            return { end, n: r.instanceInventory.countWindow(scoped, '-lastContact', after, end, cap - total) };
          });
          total += step.n;
          more = step.end !== null;
          after = step.end ?? undefined;
          await this.#yieldTurn();
        }
      }
      return total;
    } finally {
      close();
    }
  }

  /**
   * Every matching row (offset and limit apply), in chunks of at most EXPORT_WINDOW index entries. An
   * account-wide export goes VA by VA (each in the requested order): merging would hold a window of each.
   */
  async *exportRows(query: InstanceQuery): AsyncGenerator<InstanceExportRow[]> {
    // One snapshot for the whole walk (UnitOfWork.openSnapshot says why): without it, devices reporting during
    // a long export move in the last-contact order and the export misses or repeats them.
    const { read, close } = this.#snapshotReader();
    try {
      if (this.#selective(query, read)) {
        yield read((r) => r.instanceInventory.exportSelective(query));
        return;
      }
      let need = query.limit;
      let skip = query.offset;
      for (const va of this.#virtualAccounts(query, read)) {
        for await (const chunk of this.#walkVa({ ...query, virtualAccountId: va, limit: need, offset: skip }, EXPORT_WINDOW, EXPORT_ROWS, (n) => {
          skip -= n;
        }, read)) {
          need -= chunk.length;
          yield chunk;
        }
        if (need <= 0) return;
      }
    } finally {
      close();
    }
  }

  /** The rows of a page: one VA walked, or every VA of the account walked to offset + limit and merged. */
  async #page(query: InstanceQuery): Promise<InstanceSummary[]> {
    if (this.#selective(query)) return this.#uow.read((r) => r.instanceInventory.listSelective(query));
    const vas = this.#virtualAccounts(query);
    const rows: InstanceSummary[] = [];
    for (const va of vas) {
      const scoped = { ...query, virtualAccountId: va, limit: vas.length === 1 ? query.limit : query.offset + query.limit, offset: vas.length === 1 ? query.offset : 0 };
      // A term dense in the account may be sparse in one VA (a PID only one site uses): walking that VA would
      // read every row of it. Its index counts the VA's matches first; few, and they are read through it.
      const inVa = this.#uow.read((r) => r.instanceInventory.countThrough(scoped, SELECTIVE_CAP + 1));
      if (inVa !== null && inVa <= SELECTIVE_CAP) {
        rows.push(...this.#uow.read((r) => r.instanceInventory.listSelective(scoped)));
        continue;
      }
      for await (const chunk of this.#walkVa(scoped, windowOf(this.#shared, scoped), SUMMARIES)) rows.push(...chunk);
    }
    if (vas.length === 1) return rows;
    const direction = query.sort === 'lastContact' ? 1 : -1;
    rows.sort((a, b) => direction * (a.instance.lastContactAt - b.instance.lastContactAt || (a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0)));
    return rows.slice(query.offset, query.offset + query.limit);
  }

  /** One snapshot's reads, where the database has a file to open it on; the shared connection's otherwise. */
  #snapshotReader(): { read: Reader; close: () => void } {
    const snapshot = this.#uow.openSnapshot();
    return snapshot ? { read: (work) => snapshot.read(work), close: () => snapshot.close() } : { read: this.#shared, close: () => undefined };
  }

  #selective(filter: InstanceFilter, read: Reader = this.#shared): boolean {
    const matches = read((r) => r.instanceInventory.selectiveMatches(filter, SELECTIVE_CAP));
    return matches !== null && matches <= SELECTIVE_CAP;
  }

  #virtualAccounts(filter: InstanceFilter, read: Reader = this.#shared): string[] {
    if (filter.virtualAccountId !== undefined) return [filter.virtualAccountId];
    return read((r) => r.accounts.listVirtualAccounts(filter.accountId).map((va) => va.id));
  }

  /** One VA's matches in window order; `skipped` reports offset rows passed over in windows that held only those. */
  async *#walkVa<R>(query: InstanceQuery, size: number, shape: RowShape<R>, skipped: (n: number) => void = () => undefined,
    read: Reader = this.#shared): AsyncGenerator<R[]> {
    let need = query.limit;
    let skip = query.offset;
    let after = query.after;
    let window = Math.min(size, Math.max(FIRST_WINDOW, 2 * (need + skip)));
    while (need > 0) {
      const span = window;
      window = Math.min(size, window * WINDOW_GROWTH);
      const step = read((r) => {
        const repo = r.instanceInventory;
        const end = repo.windowEnd(query, query.sort, after, span);
        const inWindow = skip > 0 ? repo.countWindow(query, query.sort, after, end, skip + 1) : 1;
        if (inWindow <= skip) return { end, rows: [], skipped: inWindow, resume: null };
        // An index-only window spans up to 10,000 entries, but reading that many whole rows in one statement
        // blocked the event loop for ~470 ms at 1M (an account-wide page at offset 10,000 merges 10,050 rows
        // per VA). Rows are read at most WINDOW_WITH_ROWS at a time; a full read resumes after its last row.
        const cap = Math.min(need, WINDOW_WITH_ROWS);
        const rows = shape.window(repo, { ...query, after, limit: cap, offset: skip }, end);
        const last = rows.at(-1);
        const resume = rows.length === cap && cap < need && last !== undefined ? shape.keyOf(last) : null;
        return { end, rows, skipped: skip, resume };
      });
      skip -= step.skipped;
      skipped(step.skipped);
      need -= step.rows.length;
      if (step.rows.length > 0) yield step.rows;
      if (step.resume) after = step.resume;
      else if (!step.end) return;
      else after = step.end;
      await this.#yieldTurn();
    }
  }

  /** The account an instance belongs to, for callers that hold only its id (the CLI). */
  accountOf(instanceId: string): Account {
    return this.#uow.read((repos) => {
      const instance = repos.instances.findById(instanceId);
      const va = instance ? repos.accounts.findVirtualAccountById(instance.virtualAccountId) : undefined;
      const account = va ? repos.accounts.findAccountById(va.accountId) : undefined;
      if (!account) throw new NotFoundError('product instance', instanceId);
      return account;
    });
  }

  detail(accountId: string, instanceId: string): InstanceDetail {
    return this.#uow.read((repos) => {
      const { instance, virtualAccountName } = requireInstanceOfAccount(repos, accountId, instanceId);
      const certificate = instance.currentCertificateSerial ? repos.certificates.findBySerial(instance.currentCertificateSerial) : undefined;
      const now = this.#clock.now();
      const entitlements = repos.instances.listEntitlements(instance.id).map((e) => {
        const lines = repos.licenses.listLinesForTag(instance.virtualAccountId, e.tag);
        const describing = lines.find((line) => isLineActive(line, now)) ?? lines[0];
        return { ...e, displayName: describing?.displayName ?? null };
      });
      const reservation = repos.reservations.findById(instance.id);
      return {
        instance, virtualAccountName, certificateNotAfter: certificate?.notAfter ?? null,
        reservation: reservation ? {
          type: reservation.type, status: reservation.status,
          licenses: reservation.licenses.map((l) => ({ tag: l.tag, reserved: heldSeats(l) })),
        } : null,
        certificate: certificate
          ? { serial: certificate.serial, notBefore: certificate.notBefore, notAfter: certificate.notAfter, revokedAt: certificate.revokedAt }
          : null,
        entitlements,
        alerts: repos.alertCauses.activeAlertsForTarget(instance.id),
      };
    });
  }
}

/** An instance of another account is reported as missing, so ids do not reveal other accounts' devices. */
export function requireInstanceOfAccount(repos: Repositories, accountId: string, instanceId: string): { instance: ProductInstance; virtualAccountName: string } {
  const instance = repos.instances.findById(instanceId);
  const va = instance ? repos.accounts.findVirtualAccountById(instance.virtualAccountId) : undefined;
  if (!instance || !va || va.accountId !== accountId) throw new NotFoundError('product instance', instanceId);
  return { instance, virtualAccountName: va.name };
}

function windowOf(read: Reader, filter: InstanceFilter): number {
  return read((r) => r.instanceInventory.indexOnly(filter)) ? WINDOW_INDEX_ONLY : WINDOW_WITH_ROWS;
}
