import { Router } from 'express';
import type { Satellite } from '../composition-root.js';
import type { AdminRouteSpec } from './admin-route.js';
import { buildOpenApiDocument } from './openapi-document.js';

const API_VERSION = '1.0.0';
export const OPENAPI_PATH = '/backend/api/docs/openapi.json';

/** Every admin route, from every feature. Feature modules export `<feature>Routes(satellite)`; add yours here. */
export function adminRoutes(satellite: Satellite): AdminRouteSpec[] {
  void satellite;
  return [
    // feature routes are appended here
  ];
}

/** The document is generated from the same list that is served, so a route cannot go undocumented. */
export function openApiRouter(routes: readonly AdminRouteSpec[]): Router {
  const document = buildOpenApiDocument(routes, API_VERSION);
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  return router;
}
