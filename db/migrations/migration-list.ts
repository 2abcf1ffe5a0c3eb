import { coreSchema } from './0001-core-schema.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append-only: never edit a shipped migration, add the next number instead. Version = position. */
export const migrations: readonly Migration[] = [coreSchema];
