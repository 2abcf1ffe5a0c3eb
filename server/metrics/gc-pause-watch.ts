import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

export const GC_KINDS: readonly GcKind[] = ['minor', 'major', 'incremental', 'weakcb'];

/**
 * Garbage-collection pauses of the main thread, as V8 reports them: each pause goes to `onPause`, and the
 * longest of each kind since the last read is kept. A stall of the event loop
 * (satellite_event_loop_stall_max_seconds) that matches a major GC pause is the heap, not a query.
 */
export class GcPauseWatch {
  readonly #max = new Map<GcKind, number>();
  readonly #observer: PerformanceObserver;

  constructor(onPause: (kind: GcKind, seconds: number) => void = () => undefined) {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = kindOf(entry);
        const seconds = entry.duration / 1000;
        this.#max.set(kind, Math.max(this.#max.get(kind) ?? 0, seconds));
        onPause(kind, seconds);
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** The longest pause of each kind since the previous call, in seconds (absent: that kind did not run). */
  takeMaxSeconds(): Map<GcKind, number> {
    const max = new Map(this.#max);
    this.#max.clear();
    return max;
  }

  stop(): void {
    this.#observer.disconnect();
  }
}

function kindOf(entry: PerformanceEntry): GcKind {
  // @types/node's PerformanceEntry lacks `detail`, which gc entries carry since Node 16.
  switch ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind) {
    case constants.NODE_PERFORMANCE_GC_MAJOR: return 'major';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL: return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB: return 'weakcb';
    default: return 'minor';
  }
}
