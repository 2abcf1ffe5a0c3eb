import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { openDatabase } from '../../db/sqlite-connection.js';
import { SqliteUnitOfWork } from '../../db/sqlite-unit-of-work.js';
import type { Repositories } from '../../licensing/shared/unit-of-work.js';
import { importSpkiPublicKey } from '../../licensing/pki/public-key-import.js';
import { BENCH_TAG } from './bench-devices.js';
import { cpuMicrosPer } from './machine-speed.js';
import { admitNonce } from '../../licensing/device/instance-replay.js';

/**
 * The floor of issue 13 item 2, in a process of its own started by bench:scale:
 * - a bare Express 5 HTTPS server (same TLS key and certificate as the satellite) that reads a POST body and
 *   answers a fixed body of the size a real AUTHORIZE answer has; the parent loads it with autocannon and
 *   reads this process's CPU from /proc;
 * - on request (IPC 'micro'), CPU per operation of one P-256 verify, one sign, one SPKI key import and one
 *   group-committed transaction of the statements an AUTHORIZE runs, through the real repositories.
 * argv: <tls.pem> <tls-key.pem> <responseBytes> <databaseFile>
 */
export interface MicroCosts {
  verifyMicros: number;
  signMicros: number;
  /** The satellite's own SPKI import (licensing/pki/public-key-import.ts), what a key-cache miss costs. */
  keyImportMicros: number;
  /** For comparison: createPublicKey through OpenSSL's DER decoder. Not part of the floor. */
  derKeyImportMicros: number;
  /** One request's share of a 16-request group-committed transaction (device-write-batcher's limit). */
  transactionMicros: number;
  requestBytes: number;
  responseBytes: number;
}

const [tlsCert, tlsKey, responseBytesText, databaseFile] = process.argv.slice(2);
const RESPONSE_BYTES = Number(responseBytesText);
const BATCH = 16;

function cryptoCosts(requestBytes: number): Pick<MicroCosts, 'verifyMicros' | 'signMicros' | 'keyImportMicros' | 'derKeyImportMicros'> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = randomBytes(requestBytes);
  const signature = sign('sha256', payload, privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const response = randomBytes(RESPONSE_BYTES);
  // Fresh key objects, as a key-cache miss has: the first use of a KeyObject costs more than later ones.
  const keys: KeyObject[] = Array.from({ length: 2000 }, () => importSpkiPublicKey(spki));
  return {
    verifyMicros: cpuMicrosPer(2000, (i) => {
      if (!verify('sha256', payload, keys[i % keys.length] ?? publicKey, signature)) throw new Error('verify failed');
    }),
    signMicros: cpuMicrosPer(2000, () => sign('sha256', response, privateKey)),
    keyImportMicros: cpuMicrosPer(5000, () => importSpkiPublicKey(spki)),
    derKeyImportMicros: cpuMicrosPer(5000, () => createPublicKey({ key: spki, format: 'der', type: 'spki' })),
  };
}

/** Batches of 16 units like device-write-batcher's, each unit what AUTHORIZE reads and writes for one device. */
function transactionCost(file: string): number {
  const db = openDatabase({ filename: file });
  try {
    const uow = new SqliteUnitOfWork(db);
    const maxRowid = (db.prepare('SELECT MAX(rowid) AS n FROM product_instances').get() as { n: number }).n;
    const byRowid = db.prepare<[number], { id: string }>("SELECT id FROM product_instances WHERE rowid = ? AND registration_state = 'REGISTERED'");
    const response = 'x'.repeat(RESPONSE_BYTES);
    const unit = (instanceId: string) => (r: Repositories): void => {
      const now = Date.now();
      const messageId = randomUUID();
      const replay = r.deviceMessages.findInstanceReplay(instanceId);
      r.deviceMessages.findResponse(messageId);
      // The instance row carries its current certificate's key (migration 0018): AUTHORIZE reads no certificate row.
      const instance = r.instances.findById(instanceId);
      if (!instance) throw new Error(`no instance ${instanceId}`);
      r.instances.listEntitlements(instanceId);
      r.licenses.getUsage(instance.virtualAccountId, BENCH_TAG);
      r.licenses.listLinesForTag(instance.virtualAccountId, BENCH_TAG);
      r.instances.recordAuthorization({ ...instance, lastContactAt: now, authorizedAt: now, authorizationExpiresAt: now + 90 * 86_400_000 });
      r.deviceMessages.saveInstanceReplay({
        instanceId, messageId, requestDigest: randomBytes(32).toString('hex'), response, answeredAt: now,
        ...admitNonce(replay, randomBytes(18).toString('base64url'), now), messagesAnswered: (replay?.messagesAnswered ?? 0) + 1,
      });
    };
    const randomInstance = (): string => {
      for (;;) {
        const row = byRowid.get(1 + Math.floor(Math.random() * maxRowid));
        if (row) return row.id;
      }
    };
    const batches = 150;
    const ids = Array.from({ length: batches * BATCH }, randomInstance);
    let next = 0;
    const perBatch = cpuMicrosPer(batches, () => {
      const works = Array.from({ length: BATCH }, () => unit(ids[next++ % ids.length] ?? ''));
      for (const outcome of uow.writeBatch(works)) if (!outcome.ok) throw outcome.error;
    });
    return perBatch / BATCH;
  } finally {
    db.close();
  }
}

const app = express();
app.disable('x-powered-by');
const answer = JSON.stringify({ payload: 'x'.repeat(Math.max(0, RESPONSE_BYTES - 40)), signature: null });
let lastRequestBytes = 0;
app.post('/SmartTransport', express.text({ type: () => true, limit: 1024 * 1024 }), (req, res) => {
  lastRequestBytes = typeof req.body === 'string' ? Buffer.byteLength(req.body) : 0;
  res.status(200).type('application/json').send(answer);
});
const server = createServer({ cert: readFileSync(tlsCert ?? ''), key: readFileSync(tlsKey ?? '') }, app);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`FLOOR_READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('message', (message: { kind: 'micro' }) => {
  if (message.kind !== 'micro') return;
  const requestBytes = lastRequestBytes || 1500;
  const costs: MicroCosts = {
    ...cryptoCosts(requestBytes), transactionMicros: transactionCost(databaseFile ?? ''), requestBytes, responseBytes: Buffer.byteLength(answer),
  };
  process.send?.(costs);
});
process.on('disconnect', () => process.exit(0));
