import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { DomainError } from '../../../licensing/shared/domain-error.js';
import { MAX_RESPONSE_BUNDLE_BYTES } from '../../../sync/bundle/bundle-caps.js';
import type { Satellite } from '../../composition-root.js';
import { defineRoute, type AdminRouteSpec } from '../admin-route.js';
import { requireUnscoped } from '../account-access.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const importSummary = z.object({
  bundleId: z.string(), sequence: z.number(), inReplyToSequence: z.number().nullable(), importedAt: z.string().nullable(), actorId: z.string(),
  result: z.literal('IMPORTED'), fileSha256: z.string().nullable(), linesAdded: z.number(), linesUpdated: z.number(), linesEnded: z.number(),
  virtualAccountsCreated: z.number(), notices: z.number(), acknowledgedSequence: z.number().nullable(),
});
/** A refused import (docs/sync-format.md): bundle id and sequence only when the manifest had verified. */
const refusedImport = z.object({
  result: z.literal('REFUSED'), bundleId: z.string().nullable(), sequence: z.number().nullable(), importedAt: z.string().nullable(),
  actorId: z.string(), reason: z.string(), message: z.string(), fileSha256: z.string().nullable(),
});
const importResponse = z.object({
  status: z.enum(['IMPORTED', 'ALREADY_IMPORTED']), bundleId: z.string(), sequence: z.number(), message: z.string().optional(),
  summary: importSummary.optional(),
});
const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

/**
 * Response bundle upload and the import history (DESIGN §5.3). The zip is streamed to a private temp file
 * with a cap (a zip's directory is at its end, so the reader needs a file), imported through the same path
 * as the CLI, and removed. A refusal is a 400 whose details.reason is the stable code; nothing is applied, and the
 * history keeps the refusal.
 */
export function syncImportRoutes(satellite: Satellite): AdminRouteSpec[] {
  return [
    defineRoute({
      method: 'post', path: '/sync/import', tag: 'Sync', access: 'operator', response: importResponse,
      summary: 'Import a response bundle from the upstream (application/zip body)',
      acceptsBinary: ['application/zip', 'application/octet-stream', 'application/x-zip-compressed'],
      handler: async ({ req, principal }) => {
        requireUnscoped(principal, 'sync concerns the whole satellite');
        if (!req.is(['application/zip', 'application/octet-stream', 'application/x-zip-compressed'])) {
          throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the response bundle as application/zip or application/octet-stream');
        }
        const dir = await mkdtemp(join(tmpdir(), 'satellite-import-'));
        try {
          const file = join(dir, 'response.zip');
          await receive(req, file, MAX_RESPONSE_BUNDLE_BYTES);
          const result = await satellite.responseImporter.importFile(file, principal?.name ?? 'api');
          if (result.status === 'ALREADY_IMPORTED') return result;
          return { ...result, summary: { ...result.summary, importedAt: iso(result.summary.importedAt) } };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    }),
    defineRoute({
      method: 'get', path: '/sync/imports', tag: 'Sync', access: 'viewer', query: historyQuery,
      response: z.object({ imports: z.array(z.discriminatedUnion('result', [importSummary, refusedImport])) }),
      summary: 'The response import history, newest first, refused imports included',
      handler: ({ query, principal }) => {
        requireUnscoped(principal, 'sync concerns the whole satellite');
        return { imports: satellite.responseImporter.history(query.limit).map((r) => ({ ...r, importedAt: iso(r.importedAt) })) };
      },
    }),
  ];
}

/** Streams the request body to `file`, refusing it (413) as soon as it passes `limit` bytes. */
async function receive(body: Readable, file: string, limit: number): Promise<void> {
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > limit) done(new DomainError('PAYLOAD_TOO_LARGE', `the bundle is larger than ${limit} bytes`));
      else done(null, chunk);
    },
  });
  await pipeline(body, cap, createWriteStream(file, { mode: 0o600 }));
}

