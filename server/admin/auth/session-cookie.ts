import type { CookieOptions, Request, Response } from 'express';

export const SESSION_COOKIE = 'satellite_session';

/**
 * No Expires or Max-Age: the browser forgets the cookie when it closes, and the server enforces the idle
 * and absolute timeouts itself. Secure follows the connection, so plain-HTTP test setups still work.
 */
function options(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' };
}

export function setSessionCookie(req: Request, res: Response, sessionId: string): void {
  res.cookie(SESSION_COOKIE, sessionId, options(req));
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, options(req));
}

/** The session id from the Cookie header, or null. Parsed here to avoid a cookie-parser dependency. */
export function readSessionCookie(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      const value = decodeURIComponent(raw);
      return value.length > 0 ? value : null;
    } catch {
      return null;
    }
  }
  return null;
}
