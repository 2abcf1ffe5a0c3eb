import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Router } from 'express';
import { DomainError } from '../../licensing/shared/domain-error.js';
import { DEFAULT_BUNDLE_CAPS } from '../bundle/bundle-caps.js';
import type { ReferenceUpstream } from './reference-upstream.js';
import { RequestProcessor } from './request-processor.js';

/**
 * Connected mode (DESIGN §5.1): a satellite POSTs the very request bundle that disconnected mode writes to a
 * file, and gets the response bundle back; the same RequestProcessor as `satellite upstream process`.
 *
 *   POST /upstream/v1/sync   body: request bundle (application/zip)  ->  200 response bundle (application/zip)
 *
 * The body is streamed to a temporary file under the bundle size cap (the reader needs random access for
 * the central directory), never buffered whole.
 */
export function registerUpstreamBundleRoutes(router: Router, upstream: ReferenceUpstream, options: { maxBytes?: number } = {}): void {
  const maxBytes = options.maxBytes ?? DEFAULT_BUNDLE_CAPS.maxCompressedBytes;
  const processor = new RequestProcessor(upstream, { caps: { maxCompressedBytes: maxBytes } });
  router.post('/sync', async (req, res, next) => {
    const dir = mkdtempSync(join(tmpdir(), 'upstream-sync-'));
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    try {
      if (!req.is('application/zip')) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'the request bundle must be sent as application/zip');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBytes) throw tooLarge(maxBytes);
      const requestFile = join(dir, 'request.zip');
      const responseFile = join(dir, 'response.zip');
      await receive(req, requestFile, maxBytes);
      await processor.processRequest(requestFile, responseFile);
      res.status(200).type('application/zip');
      res.on('close', cleanup);
      await pipeline(createReadStream(responseFile), res);
    } catch (error) {
      cleanup();
      next(error);
    }
  });
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `the request bundle exceeds ${maxBytes} bytes`);
}

async function receive(req: Request, file: string, maxBytes: number): Promise<void> {
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxBytes) callback(tooLarge(maxBytes));
      else callback(null, chunk);
    },
  });
  await pipeline(req, cap, createWriteStream(file, { mode: 0o600 }));
}
