import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Every answer carries an id that also appears in error bodies and logs, so a report can be traced. */
export const requestId: RequestHandler = (_req, res, next) => {
  res.setHeader('x-request-id', randomUUID());
  next();
};
