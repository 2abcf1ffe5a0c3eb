import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { DomainError } from '../../licensing/shared/domain-error.js';

/**
 * The pages of the web UI (DESIGN §10). Each answers index.html, so a reload or a shared link of any view
 * lands in the app, which reads the rest of the address itself. Only these paths: the API, the device
 * transports and everything else keep their own answers (and unknown paths their JSON 404).
 */
export const WEB_UI_PAGES = [
  'sign-in', 'change-password', 'dashboard', 'licenses', 'product-instances', 'tokens', 'reservations', 'event-log', 'alerts',
  'synchronization', 'accounts', 'users', 'settings',
] as const;

const YEAR_SECONDS = 365 * 24 * 3600;

/** dist/web of this package, found from this file whether it runs from sources (tsx) or from dist/. */
export function defaultWebUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, 'dist', 'web');
}

export function webUiRoutes(webUiDir: string = defaultWebUiDir()): Router {
  const router = Router();
  const indexFile = join(webUiDir, 'index.html');
  // Read once: the build does not change under a running process, and index.html is tiny.
  const index = existsSync(indexFile) ? readFileSync(indexFile) : null;
  // File names carry a content hash, so a cached copy can never be stale.
  router.use('/assets', express.static(join(webUiDir, 'assets'), {
    immutable: true, maxAge: YEAR_SECONDS * 1000, index: false, fallthrough: true, redirect: false,
  }));
  const pages = ['/', ...WEB_UI_PAGES.map((page) => `/${page}{/*rest}`)];
  router.get(pages, (_req, res, next) => {
    if (index === null) {
      next(new DomainError('UNAVAILABLE', 'the web UI is not built: run `npm run build` (npm ci runs it), then restart the satellite'));
      return;
    }
    // Always revalidated: it names the current hashed assets.
    res.status(200).set({ 'Cache-Control': 'no-cache', 'Content-Type': 'text/html; charset=utf-8' }).send(index);
  });
  return router;
}
