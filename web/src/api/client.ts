import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The API's error body (DESIGN §6): every failed call is shown by its message. */
export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: (reason: string) => void = () => undefined;
let onActivity: () => void = () => undefined;

/** The session's CSRF token, sent back in x-csrf-token on every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the satellite no longer knows the session (expired, signed out elsewhere). */
export function onSessionEnded(listener: (reason: string) => void): void {
  onSignedOut = listener;
}

/** Called after every answered request: the server's idle timer restarts on each one. */
export function onApiActivity(listener: () => void): void {
  onActivity = listener;
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken !== null) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    onActivity();
    // The sign-in itself answers 401 for a wrong password; only a lost session sends the user back.
    const signIn = request.method === 'POST' && new URL(request.url).pathname.endsWith('/session');
    if (!signIn) await signOutIfSessionLost(response);
    return response;
  },
};

/**
 * A lost session answers 401 (an expired or unknown session) or, like every call without credentials
 * (DESIGN §6: toolkit clients poll for exactly 403), 403 with reason CREDENTIALS_REQUIRED. A 403 for a
 * missing role stays on the page as an error.
 */
async function signOutIfSessionLost(response: Response): Promise<void> {
  if (response.status !== 401 && response.status !== 403) return;
  let body: ApiErrorBody = {};
  try { body = (await response.clone().json()) as ApiErrorBody; } catch { body = {}; }
  if (response.status === 403 && body.error?.details?.reason !== 'CREDENTIALS_REQUIRED') return;
  onSignedOut(body.error?.message ?? `HTTP ${response.status}`);
}

/** Typed client of the satellite's own OpenAPI document; same origin, session cookie. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

/** Unwraps an openapi-fetch answer: the data, or an ApiError carrying the API's error.message. */
export async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (response.ok) return data as T;
  throw toApiError(response.status, error);
}

function toApiError(status: number, error: unknown): ApiError {
  const body = (error ?? {}) as ApiErrorBody;
  return new ApiError(status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? `the satellite answered HTTP ${status}`, body.error?.details ?? {});
}

/**
 * Requests the typed client cannot describe: binary bodies (a zip upload) and file downloads (the sync
 * request file, backups). Every JSON call goes through `api`. Same origin, same CSRF header.
 */
export async function raw(method: string, path: string, init: { body?: BodyInit; contentType?: string } = {}): Promise<Response> {
  const headers = new Headers();
  if (init.contentType) headers.set('content-type', init.contentType);
  if (method !== 'GET' && csrfToken !== null) headers.set('x-csrf-token', csrfToken);
  const response = await fetch(path, { method, headers, credentials: 'same-origin', ...(init.body !== undefined ? { body: init.body } : {}) });
  onActivity();
  await signOutIfSessionLost(response);
  if (!response.ok) {
    let body: unknown = null;
    try { body = await response.json(); } catch { body = null; }
    throw toApiError(response.status, body);
  }
  return response;
}

/** The message to show for anything a call threw. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Path segment encoding for account, VA and tag names. */
export const seg = encodeURIComponent;
