import { createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { InProcessSend } from '../../../agent/index.js';
import { decodeCallHomeRequest, encodeCallHomeResponse } from '../../../protocol/call-home-codec.js';
import { bodySchemas, requestHeaderSchema } from '../../../protocol/device-message.js';
import { signedEnvelopeSchema } from '../../../protocol/signed-envelope.js';
import { createTestPki, issueIdCertificate, signedEnvelope, type TestPki } from './test-pki.js';

interface Instance {
  id: string;
  serial: string;
  certificatePem: string;
}

export interface Received {
  path: string;
  contentType: string;
  envelopeText: string;
  request: Record<string, unknown> & { type: string; message_id: string };
}

const HOUR = 3600 * 1000;

/**
 * Just enough satellite to drive the agent: it checks requests against the protocol schemas and device
 * signatures and answers with signed responses. The real satellite is tested elsewhere.
 */
export class FakeSatellite {
  readonly pki: TestPki;
  readonly tokens = new Set(['good-token']);
  readonly instances = new Map<string, Instance>();
  readonly received: Received[] = [];
  /** Lets a test corrupt the response envelope on its way back. */
  tamper: ((envelopeText: string) => string) | null = null;
  now = Date.UTC(2026, 0, 15);

  private constructor(pki: TestPki) {
    this.pki = pki;
  }

  static async create(pki?: TestPki): Promise<FakeSatellite> {
    return new FakeSatellite(pki ?? (await createTestPki()));
  }

  readonly send: InProcessSend = async (path, body, contentType) => {
    const callHome = path.endsWith('/DeviceRequestHandler');
    const envelopeText = callHome ? decodeCallHomeRequest(body).envelopeText : body;
    const response = await this.handle(envelopeText, { path, contentType });
    const tampered = this.tamper === null ? response : this.tamper(response);
    const text = callHome
      ? encodeCallHomeResponse({ envelopeText: tampered, inReplyTo: null, messageType: 'RESPONSE', now: this.now, sessionMessageId: randomUUID() })
      : tampered;
    return { status: 200, text };
  };

  async handle(envelopeText: string, via: { path: string; contentType: string } = { path: '/SmartTransport', contentType: 'application/json' }): Promise<string> {
    const envelope = signedEnvelopeSchema.parse(JSON.parse(envelopeText));
    const raw: unknown = JSON.parse(envelope.payload);
    const header = requestHeaderSchema.parse(raw);
    const body = bodySchemas[header.type].parse(header.body);
    this.received.push({ ...via, envelopeText, request: { ...(raw as Record<string, unknown>), type: header.type, message_id: header.message_id } });
    const answer = (status: 'OK' | 'FAILED', responseBody: Record<string, unknown>, error: { code: string; message: string } | null, productInstanceId: string | null): string =>
      signedEnvelope(this.pki, {
        version: '1.0', type: `${header.type}_RESPONSE`, in_reply_to: header.message_id, nonce: header.nonce, timestamp: this.now,
        product_instance_id: productInstanceId, status, error, body: responseBody,
      });
    const fail = (code: string, message: string, id: string | null = null): string => answer('FAILED', {}, { code, message }, id);

    if (header.type === 'REGISTER') {
      if (envelope.signature !== null) return fail('MALFORMED_MESSAGE', 'REGISTER is unsigned');
      if (!('id_token' in body) || !this.tokens.has(body.id_token)) return fail('TOKEN_INVALID', 'The token is not known');
      const instance: Instance = { id: randomUUID(), serial: '', certificatePem: '' };
      await this.#issue(instance, 'csr' in body ? body.csr : '');
      this.instances.set(instance.id, instance);
      return answer('OK', this.#identityBody(instance), null, instance.id);
    }

    const instance = this.instances.get(header.sender.product_instance_id ?? '');
    if (instance === undefined) return fail('UNKNOWN_PRODUCT_INSTANCE', 'No such product instance');
    const signature = envelope.signature;
    const certificate = new x509.X509Certificate(instance.certificatePem);
    const key = createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: 'der', type: 'spki' });
    if (signature === null || signature.key_id.toLowerCase().replace(/^0+/, '') !== instance.serial
      || !verify('sha256', Buffer.from(envelope.payload, 'utf8'), key, Buffer.from(signature.value, 'base64'))) {
      return fail('SIGNATURE_INVALID', 'The request signature does not verify', instance.id);
    }
    if (header.type === 'RENEW_ID_CERT') {
      await this.#issue(instance, 'csr' in body ? body.csr : '');
      return answer('OK', this.#identityBody(instance), null, instance.id);
    }
    if (header.type === 'AUTHORIZE') {
      const entitlements = 'entitlements' in body ? body.entitlements : [];
      return answer('OK', {
        authorization: {
          status: entitlements.length === 0 ? 'NO_LICENSES_IN_USE' : 'AUTHORIZED',
          authorized_at: this.now, expires_at: this.now + 90 * 24 * HOUR, next_renewal_at: this.now + 30 * 24 * HOUR,
          entitlements: entitlements.map((item) => ({
            tag: item.tag, requested: item.count, status: item.tag.startsWith('bad') ? 'INVALID_TAG' : 'AUTHORIZED',
            display_name: `Name of ${item.tag}`, description: null,
          })),
        },
      }, null, instance.id);
    }
    this.instances.delete(instance.id);
    return answer('OK', { registration: { status: 'UNREGISTERED' } }, null, instance.id);
  }

  async #issue(instance: Instance, csrPem: string): Promise<void> {
    const bytes = randomBytes(12);
    // A positive serial whose first byte may be below 0x10, so the agent's leading-zero handling is used.
    bytes[0] = ((bytes[0] ?? 1) & 0x0f) || 1;
    const serial = bytes.toString('hex');
    instance.certificatePem = await issueIdCertificate(this.pki, csrPem, serial, instance.id);
    instance.serial = new x509.X509Certificate(instance.certificatePem).serialNumber.toLowerCase().replace(/^0+/, '');
  }

  #identityBody(instance: Instance): Record<string, unknown> {
    return {
      id_certificate: instance.certificatePem,
      certificate_chain: this.pki.chain,
      registration: { status: 'REGISTERED', registered_at: this.now, expires_at: this.now + 365 * 24 * HOUR, next_renewal_at: this.now + 180 * 24 * HOUR },
      smart_account: 'Example Corp', virtual_account: 'Campus', export_control: 'ALLOWED',
    };
  }
}
