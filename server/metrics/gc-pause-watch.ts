import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

/**
 * Garbage-collection pauses of the main thread, as V8 reports them: the longest of each kind since the last
 * read, and the total. A stall of the event loop (satellite_event_loop_stall_max_seconds) that matches a major
 * GC pause is the heap, not a query; one that does not is the code.
 */
export class GcPauseWatch {
  readonly #max = new Map<GcKind, number>();
  readonly #total = new Map<GcKind, number>();
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#record(entry);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** The longest pause of each kind since the previous call, in seconds (0 for a kind that did not run). */
  takeMaxSeconds(): Map<GcKind, number> {
    const max = new Map(this.#max);
    this.#max.clear();
    return max;
  }

  totalSeconds(): Map<GcKind, number> {
    return new Map(this.#total);
  }

  stop(): void {
    this.#observer.disconnect();
  }

  #record(entry: PerformanceEntry): void {
    // @types/node's PerformanceEntry lacks `detail`, which gc entries carry since Node 16.
    const kind = kindOf((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind);
    const seconds = entry.duration / 1000;
    this.#max.set(kind, Math.max(this.#max.get(kind) ?? 0, seconds));
    this.#total.set(kind, (this.#total.get(kind) ?? 0) + seconds);
  }
}

function kindOf(kind: number | undefined): GcKind {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MAJOR: return 'major';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL: return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB: return 'weakcb';
    default: return 'minor';
  }
}

export const GC_KINDS: readonly GcKind[] = ['minor', 'major', 'incremental', 'weakcb'];
