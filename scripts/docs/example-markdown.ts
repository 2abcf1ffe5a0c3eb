/** Markdown rendering of captured device exchanges for docs/protocol.md. */

export interface CapturedRequest {
  path: string;
  contentType: string;
  body: string;
}

export interface CapturedResponse {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
}

const PEM = /(-----BEGIN ([A-Z ]+)-----)(\\+n|\n)([A-Za-z0-9+/=]{0,12})[\s\S]*?((?:\\+n|\n)-----END \2-----)/g;

/**
 * Cuts the base64 of every PEM block, at whatever JSON escaping depth it sits, so the examples stay
 * readable; a shortened block no longer matches its signature, which the marker makes explicit.
 */
export function shortenPems(text: string): string {
  return text.replace(PEM, (_all, begin: string, _label: string, eol: string, head: string, end: string) =>
    `${begin}${eol}${head}…(PEM shortened)…${end}`);
}

export function fence(language: string, text: string): string {
  return `\`\`\`${language}\n${text.replace(/\n$/, '')}\n\`\`\``;
}

/**
 * The envelope's outer object is indented for the page; `payload` stays the exact one-line string that was
 * sent, because its bytes are what the signature covers.
 */
export function prettyEnvelope(envelopeText: string): string {
  return shortenPems(JSON.stringify(JSON.parse(envelopeText), null, 2));
}

export function payloadOf(envelopeText: string): Record<string, unknown> {
  const envelope = JSON.parse(envelopeText) as { payload: string };
  return JSON.parse(envelope.payload) as Record<string, unknown>;
}

export function decodedPayload(envelopeText: string): string {
  return shortenPems(JSON.stringify(payloadOf(envelopeText), null, 2));
}

export function requestBlock(request: CapturedRequest, body: string): string {
  return fence('http', `POST ${request.path} HTTP/1.1\nContent-Type: ${request.contentType}\n\n${body}`);
}

export function responseBlock(response: CapturedResponse, body: string): string {
  return fence('http', `HTTP/1.1 ${response.status} ${response.statusText}\nContent-Type: ${response.contentType}\n\n${body}`);
}

/** Epoch-millisecond fields (`timestamp`, `*_at`) rendered as ISO times, so the timers can be checked by eye. */
export function timesLine(message: Record<string, unknown>): string {
  const found: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const here = path === '' ? key : `${path}.${key}`;
      if (typeof inner === 'number' && (key === 'timestamp' || key.endsWith('_at'))) {
        found.push(`\`${here}\` = ${new Date(inner).toISOString()}`);
      } else {
        walk(inner, here);
      }
    }
  };
  walk(message, '');
  return found.length === 0 ? '' : `Times: ${found.join(', ')}.`;
}
