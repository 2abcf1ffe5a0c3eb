import { Router } from 'express';
import type { Satellite } from '../composition-root.js';
import { accountRoutes } from './accounts/account-routes.js';
import { virtualAccountRoutes } from './accounts/virtual-account-routes.js';
import type { AdminRouteSpec } from './admin-route.js';
import { accountAlertRoutes } from './alerts/account-alert-routes.js';
import { apiClientRoutes } from './auth/api-client-routes.js';
import { sessionRoutes } from './auth/session-routes.js';
import { userRoutes } from './auth/user-routes.js';
import { eventRoutes } from './events/event-routes.js';
import { instanceRoutes } from './instances/instance-routes.js';
import { catalogRoutes } from './catalog/catalog-routes.js';
import { licenseDetailRoutes } from './licenses/license-detail-routes.js';
import { licenseRoutes } from './licenses/license-routes.js';
import { licenseTransferRoutes } from './licenses/license-transfer-routes.js';
import { buildOpenApiDocument, type RouteGroup } from './openapi-document.js';
import { reservationRoutes } from './reservations/reservation-routes.js';
import { syncImportRoutes } from './sync/sync-import-routes.js';
import { syncConnectedRoutes } from './sync/sync-connected-routes.js';
import { tokenRoutes } from './tokens/token-routes.js';
import { backupRoutes } from './backups/backup-routes.js';
import { tlsSettingsRoutes } from './settings/tls-settings-routes.js';

const API_VERSION = '1.0.0';
export const OPENAPI_PATH = '/backend/api/docs/openapi.json';

/** Every admin route, from every feature. Feature modules export `<feature>Routes(satellite)`; add yours here. */
export function adminRoutes(satellite: Satellite): AdminRouteSpec[] {
  void satellite;
  return [
    // feature routes are appended here
    ...sessionRoutes(satellite),
    ...userRoutes(satellite),
    ...apiClientRoutes(satellite),
    ...instanceRoutes(satellite),
    ...eventRoutes(satellite),
    ...accountRoutes(satellite),
    ...virtualAccountRoutes(satellite),
    ...licenseRoutes(satellite),
    ...licenseDetailRoutes(satellite),
    ...catalogRoutes(satellite),
    ...licenseTransferRoutes(satellite),
    ...tokenRoutes(satellite),
    ...accountAlertRoutes(satellite),
    ...syncImportRoutes(satellite),
    ...syncConnectedRoutes(satellite),
    ...reservationRoutes(satellite),
    ...backupRoutes(satellite),
    ...tlsSettingsRoutes(satellite),
  ];
}

/** The document is generated from the same list that is served, so a route cannot go undocumented. */
export function openApiRouter(groups: readonly RouteGroup[]): Router {
  const document = buildOpenApiDocument(groups, API_VERSION);
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  return router;
}
