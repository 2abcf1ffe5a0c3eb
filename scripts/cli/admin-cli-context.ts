import type { Satellite } from '../../server/composition-root.js';
import { withSatellite } from './offline-satellite.js';

/**
 * How an admin command reaches the satellite and the terminal. The real CLI opens the data directory and
 * writes to stdout/stderr; tests pass an in-memory satellite and collect the lines.
 */
export interface AdminCliContext {
  open<T>(dataDir: string | undefined, work: (satellite: Satellite) => Promise<T> | T): Promise<T>;
  /** One line of the command's result (stdout). */
  out(line: string): void;
  /** One line of commentary (stderr), kept apart so scripts can read stdout alone. */
  err(line: string): void;
}

export const processCliContext: AdminCliContext = {
  open: withSatellite,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Tab-separated rows: readable in a terminal, and `cut -f` friendly. */
export function printRows(context: AdminCliContext, rows: ReadonlyArray<ReadonlyArray<string | number | null>>): void {
  for (const row of rows) context.out(row.map((cell) => (cell === null ? '-' : String(cell))).join('\t'));
}

export const DATA_OPTION = ['--data <dir>', 'data directory (default SATELLITE_DATA_DIR or ./data)'] as const;
