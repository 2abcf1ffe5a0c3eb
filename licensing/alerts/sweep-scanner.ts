import { scanChunks } from './alert-cause-repository.js';
import type { RenewalSubject } from './alert-rules.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';

/**
 * The two passes of a scheduled sweep that look at every product instance: lapsed authorizations and renewal
 * candidates. Neither can use an index (both columns change on every AUTHORIZE, and an index on them would cost
 * each report a random page), so at a million instances each is a walk of the whole table: about a second of
 * CPU, and longer when its pages are cold. ChunkedSweepScanner walks it in short reads that yield between
 * them; the served satellite hands the walk to a reader thread of its own (InstanceReadWorker), so neither its
 * CPU nor its waits for the disk fall on the event loop that answers devices (docs/performance.md).
 */
export interface SweepScanner {
  /** Ids of registered instances whose authorization lapsed by `now` and that are not marked so yet. */
  lapsedAuthorizationIds(now: number): Promise<string[]>;
  /** Registered instances last authorized before `authorizedBefore` (renewalCutoff). */
  renewalCandidates(authorizedBefore: number): Promise<RenewalSubject[]>;
}

/** The walk in chunks of SCAN_CHUNK rows, each its own short read, with `yieldTurn` between them. */
export class ChunkedSweepScanner implements SweepScanner {
  readonly #uow: UnitOfWork;
  readonly #yieldTurn: () => Promise<void>;

  constructor(uow: UnitOfWork, yieldTurn: () => Promise<void>) {
    this.#uow = uow;
    this.#yieldTurn = yieldTurn;
  }

  async lapsedAuthorizationIds(now: number): Promise<string[]> {
    const span = this.#uow.read((repos) => repos.alertCauses.instanceSpan());
    const ids: string[] = [];
    for (const chunk of scanChunks(span)) {
      ids.push(...this.#uow.read((repos) => repos.alertCauses.authorizationsLapsedBy(now, chunk).map((i) => i.id)));
      await this.#yieldTurn();
    }
    return ids;
  }

  async renewalCandidates(authorizedBefore: number): Promise<RenewalSubject[]> {
    const span = this.#uow.read((repos) => repos.alertCauses.instanceSpan());
    const found: RenewalSubject[] = [];
    for (const chunk of scanChunks(span)) {
      found.push(...this.#uow.read((repos) => repos.alertCauses.renewalCandidates(authorizedBefore, chunk)));
      await this.#yieldTurn();
    }
    return found;
  }
}
