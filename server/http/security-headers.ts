import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The security headers of every answer. The web UI loads nothing but its own files and talks only to this
 * origin (DESIGN §10): no inline script, no https: source for styles or fonts, as helmet's defaults would allow.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'font-src': ["'self'"],
        'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"], 'object-src': ["'none'"], 'frame-ancestors': ["'none'"],
      },
    },
  });
}

/**
 * The same headers as name/value pairs, for answers written without Express (the device fast path). They are
 * captured by running the very middleware above once against a recording response, so the two can never
 * drift apart; helmet's headers depend on nothing in the request.
 */
export function securityHeaderPairs(): ReadonlyArray<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  const recorder = {
    setHeader(name: string, value: unknown): void {
      pairs.push([name, String(value)]);
    },
    removeHeader(): void {
      // X-Powered-By: node:http never sends it on its own.
    },
  };
  let called = false;
  // The stubs stand in for Express's request and response at this one edge; helmet only sets headers.
  (securityHeaders() as unknown as (req: object, res: typeof recorder, next: (error?: unknown) => void) => void)({}, recorder, (error) => {
    if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
    called = true;
  });
  if (!called) throw new Error('helmet did not finish synchronously; the device fast path cannot copy its headers');
  return pairs;
}
