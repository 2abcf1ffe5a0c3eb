import { z } from 'zod';

/**
 * DESIGN §4.1. `payload` stays a string so the signed bytes are exactly the bytes received: no canonical
 * JSON is needed and no re-serialisation can break a signature.
 */
export const signatureSchema = z.object({
  alg: z.enum(['ES256', 'RS256']),
  key_id: z.string().regex(/^[0-9a-fA-F]{1,64}$/, 'key_id must be the hex serial of the signer certificate'),
  value: z.string().min(1).max(2048),
});

export const signedEnvelopeSchema = z.object({
  payload: z.string().min(2).max(48 * 1024),
  signature: signatureSchema.nullable(),
});

export type EnvelopeSignature = z.infer<typeof signatureSchema>;
export type SignedEnvelope = z.infer<typeof signedEnvelopeSchema>;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64 check: Buffer.from() silently skips junk, which would hide a corrupted signature. */
export function isStrictBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

/** `pathPrefix` names where the validated value sits in a larger document, e.g. ['body']. */
export function formatZodIssues(error: z.ZodError, pathPrefix: readonly string[] = []): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [...pathPrefix, ...issue.path.map(String)];
      return `${path.length > 0 ? path.join('.') : '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
