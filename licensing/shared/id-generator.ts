import { randomUUID } from 'node:crypto';

/** Ids are injected so tests can make them predictable. */
export type IdGenerator = () => string;

export const uuidGenerator: IdGenerator = () => randomUUID();
