import { Router } from 'express';
import { latestSchemaVersion, schemaVersion } from '../../db/sqlite-connection.js';
import type { Satellite } from '../composition-root.js';
import { SATELLITE_VERSION } from '../version.js';

export function healthRoutes(satellite: Satellite): Router {
  const router = Router();
  // Liveness: the event loop answers. Nothing else, so a busy database never gets the process restarted.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const checks = {
      database: satellite.db.open,
      migrations: satellite.db.open && schemaVersion(satellite.db) === latestSchemaVersion,
      pki: satellite.pki.signingKeyId.length > 0,
    };
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks, version: SATELLITE_VERSION, schemaVersion: latestSchemaVersion });
  });
  return router;
}
