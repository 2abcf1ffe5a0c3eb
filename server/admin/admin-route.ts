import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Principal, Role } from '../../licensing/users/principal.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Null only on `access: 'public'` routes. */
  principal: Principal | null;
  req: Request;
  res: Response;
}

/** What a handler may return: the JSON body, or a CSV document for export routes. */
export type RouteResult = unknown;

export interface AdminRouteSpec<P extends Schema | undefined = Schema | undefined, Q extends Schema | undefined = Schema | undefined, B extends Schema | undefined = Schema | undefined> {
  method: HttpMethod;
  /** Express-style path below the API prefix, e.g. '/accounts/:accountName/licenses'. */
  path: string;
  summary: string;
  tag: string;
  /** Minimum role, or 'public' for routes that authenticate themselves (the OAuth token endpoint). */
  access: Role | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** Shape of the success body, for the OpenAPI document; 'csv' for text/csv exports, 'zip' for archives the handler streams. */
  response: Schema | 'csv' | 'zip';
  successStatus?: number;
  /** Shape of the error bodies, for the OpenAPI document, when not the project's (the OAuth token endpoint). */
  errorResponse?: Schema;
  /** Also accept application/x-www-form-urlencoded bodies (OAuth clients send them). */
  acceptsForm?: boolean;
  /** Content types left unread for the handler to stream from `req` itself (a zip upload); the JSON parser skips them. */
  acceptsBinary?: readonly string[];
  handler(input: RouteInput<Out<P>, Out<Q>, Out<B>>): RouteResult | Promise<RouteResult>;
}

/** Defines a route with its types inferred from its schemas. */
export function defineRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  spec: AdminRouteSpec<P, Q, B>,
): AdminRouteSpec {
  return spec as unknown as AdminRouteSpec;
}

/**
 * A JSON answer already serialized where its data was read (the instance read worker): the event loop only
 * writes its bytes, instead of rebuilding and serializing a page of up to 1,000 rows (~15 ms at 1M).
 */
export class JsonText {
  constructor(readonly json: string | Uint8Array) {}
}

/** A CSV answer: handlers return this from export routes. */
export class CsvDocument {
  constructor(readonly filename: string, readonly text: string) {}
}

/**
 * A CSV answer written as it is produced: export routes over inventory-sized tables return this, so memory
 * stays constant and the event loop is free between chunks (each chunk is one short database read).
 */
export class CsvStream {
  /** Text, or UTF-8 bytes (the instance read worker's chunks, transferred from its thread already encoded). */
  constructor(readonly filename: string, readonly chunks: AsyncIterable<string | Uint8Array>) {}
}
