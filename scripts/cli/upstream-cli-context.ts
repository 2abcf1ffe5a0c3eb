import { pino, type Logger } from 'pino';
import { openSqliteUpstreamStore } from '../../db/upstream/sqlite-upstream-unit-of-work.js';
import { systemClock, type Clock } from '../../licensing/shared/clock.js';
import { uuidGenerator, type IdGenerator } from '../../licensing/shared/id-generator.js';
import { openReferenceUpstream, type ReferenceUpstream } from '../../sync/upstream/reference-upstream.js';

/**
 * How `satellite upstream ...` reaches the reference upstream and the terminal. This is the upstream's
 * composition: the SQLite store from db/upstream/ goes into sync/upstream/, which never imports db/ itself.
 * Tests pass their own clock and collect the lines.
 */
export interface UpstreamCliContext {
  open<T>(dataDir: string, work: (upstream: ReferenceUpstream) => Promise<T> | T): Promise<T>;
  out(line: string): void;
  err(line: string): void;
  logger(): Logger;
  /** Resolves when the server should stop (SIGINT or SIGTERM for the real process). */
  untilShutdown(): Promise<void>;
}

export function upstreamCliContext(options: { clock?: Clock; newId?: IdGenerator } = {}): Omit<UpstreamCliContext, 'out' | 'err' | 'logger' | 'untilShutdown'> {
  return {
    open: async (dataDir, work) => {
      const upstream = openReferenceUpstream({
        dataDir, clock: options.clock ?? systemClock, newId: options.newId ?? uuidGenerator, openStore: openSqliteUpstreamStore,
      });
      try {
        return await work(upstream);
      } finally {
        upstream.close();
      }
    },
  };
}

export const processUpstreamContext: UpstreamCliContext = {
  ...upstreamCliContext(),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  logger: () => pino({ level: 'info' }, pino.destination(2)),
  untilShutdown: () => new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  }),
};
