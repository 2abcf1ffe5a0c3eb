import { X509Certificate, verify } from 'node:crypto';
import { request } from 'node:https';
import { openDatabase } from '../../db/sqlite-connection.js';
import { authorizeEnvelope, certificateKeyId, openResponse, type BenchDevice } from './bench-devices.js';

export interface TlsTarget {
  port: number;
  /** The satellite root CA: the sample check trusts exactly what a device would. */
  rootCaPem: string;
}

export function postJson(target: TlsTarget, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      // agent: false: a socket kept alive by Node 20's global agent would outlive the server's keep-alive timeout.
      host: '127.0.0.1', port: target.port, path, method: 'POST', ca: target.rootCaPem, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SampleCheck {
  sent: number;
  verifiedOk: number;
  failures: string[];
}

/**
 * Fresh AUTHORIZEs after the load run, checked end to end: HTTP 200, the response signature verifies with
 * the satellite signing certificate, the message answers the request, and the license was granted.
 */
export async function sampleAuthorize(target: TlsTarget, signingCertificatePem: string, devices: BenchDevice[], count: number): Promise<SampleCheck> {
  const signing = new X509Certificate(signingCertificatePem);
  const signingKeyId = certificateKeyId(signingCertificatePem);
  const failures: string[] = [];
  let verifiedOk = 0;
  for (let i = 0; i < count; i += 1) {
    const device = devices[Math.floor((i * devices.length) / count)];
    if (!device) continue;
    const envelope = authorizeEnvelope(device, Date.now());
    const sentId = (JSON.parse((JSON.parse(envelope) as { payload: string }).payload) as { message_id: string }).message_id;
    // A dropped connection is a failed sample, reported with the others, not the end of the check.
    const res = await postJson(target, '/SmartTransport', envelope).catch((error: unknown) => ({ status: 0, text: String(error) }));
    const problem = res.status === 0 ? `request failed: ${res.text}` : checkAuthorizeAnswer(res, sentId, signing, signingKeyId);
    if (problem) failures.push(`${device.udi.udi_serial_number}: ${problem}`);
    else verifiedOk += 1;
  }
  return { sent: count, verifiedOk, failures };
}

function checkAuthorizeAnswer(res: { status: number; text: string }, sentId: string, signing: X509Certificate, signingKeyId: string): string | null {
  if (res.status !== 200) return `HTTP ${res.status} ${res.text.slice(0, 200)}`;
  const { message, payload, signature } = openResponse(res.text);
  if (!signature || signature.key_id !== signingKeyId) return 'response is not signed by the satellite signing certificate';
  if (!verify('sha256', Buffer.from(payload, 'utf8'), signing.publicKey, Buffer.from(signature.value, 'base64'))) {
    return 'response signature does not verify';
  }
  const inReplyTo = (JSON.parse(payload) as { in_reply_to: string | null }).in_reply_to;
  if (inReplyTo !== sentId) return `in_reply_to ${inReplyTo ?? 'null'} does not answer ${sentId}`;
  if (message.status !== 'OK') return `status ${message.status} ${message.error?.code ?? ''}`;
  const granted = message.body.authorization?.status;
  if (granted !== 'AUTHORIZED') return `authorization status ${granted ?? '(none)'}`;
  return null;
}

export interface DatabaseCounts {
  /**
   * Messages the satellite answered and remembers: REGISTER answers by message_id, and the counts in the replay
   * records (db migration 0016) of the instances named. One per processed request of those devices.
   */
  answeredMessages: number;
  registeredInstances: number;
}

/** Read-only look at the server's SQLite file (WAL lets it read next to the running server). */
export function databaseCounts(databaseFile: string, instanceIds: readonly string[] = []): DatabaseCounts {
  const db = openDatabase({ filename: databaseFile, readonly: true });
  try {
    const count = (sql: string, ...params: string[]): number => (db.prepare<string[], { n: number | null }>(sql).get(...params)?.n ?? 0);
    return {
      answeredMessages: count('SELECT COUNT(*) AS n FROM device_messages')
        + count('SELECT SUM(messages_answered) AS n FROM instance_replay WHERE instance_id IN (SELECT value FROM json_each(?))',
          JSON.stringify(instanceIds)),
      registeredInstances: count("SELECT COUNT(*) AS n FROM product_instances WHERE registration_state = 'REGISTERED'"),
    };
  } finally {
    db.close();
  }
}
