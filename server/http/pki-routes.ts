import { Router } from 'express';
import type { Satellite } from '../composition-root.js';
import { pkiChainPem } from './pki-chain.js';

export const PKI_CHAIN_PATH = '/pki/chain.pem';

/** GET /pki/chain.pem without credentials: devices get the same certificates in every registration anyway. */
export function pkiRoutes(satellite: Satellite): Router {
  const router = Router();
  router.get(PKI_CHAIN_PATH, (_req, res) => {
    res.status(200).type('application/x-pem-file').send(pkiChainPem(satellite));
  });
  return router;
}
