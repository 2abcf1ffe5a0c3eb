import type { Router } from 'express';
import type { ReferenceUpstream } from './reference-upstream.js';

/**
 * THE PLACE FOR BUNDLE PROCESSING (the Sync issue, DESIGN §5.1-5.3): connected mode will POST a request
 * bundle here and get the response bundle back, the same bytes `satellite upstream process request.zip
 * --out response.zip` handles offline:
 *
 *   POST /upstream/v1/sync   body: request bundle (application/zip)  ->  200 response bundle (application/zip)
 *
 * It must refuse bundles from unknown or retired satellites (registry.find(id).retiredAt !== null), pin the
 * satellite's key on its first request (RegisteredSatellite.satellitePublicKeyPem), check the request
 * sequence against RegisteredSatellite.requestSequence and stamp lastSyncAt, which resets the 90-day
 * retirement clock. Nothing is mounted yet.
 */
export function registerUpstreamBundleRoutes(_router: Router, _upstream: ReferenceUpstream): void {
  // Intentionally empty until bundle processing lands.
}
