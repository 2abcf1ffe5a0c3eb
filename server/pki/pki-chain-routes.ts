import { Router } from 'express';
import type { Satellite } from '../composition-root.js';

/**
 * Public, like a CA's certificate download: air-gapped devices verify reservation authorization codes with
 * this chain (DESIGN §9), so an admin must be able to fetch it without credentials. Signing first, then root.
 */
export function pkiChainRoutes(satellite: Satellite): Router {
  const router = Router();
  router.get('/pki/chain.pem', (_req, res) => {
    res.type('application/x-pem-file').send(satellite.pki.certificateChain.map((pem) => pem.trimEnd()).join('\n') + '\n');
  });
  return router;
}
