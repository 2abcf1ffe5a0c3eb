import bs58 from 'bs58';

const GROUP = 6;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/** Base58 (Bitcoin alphabet) in dash-separated groups of 6, the last shorter (DESIGN §9.1). */
export function base58Groups(bytes: Uint8Array): string {
  const text = bs58.encode(bytes);
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += GROUP) groups.push(text.slice(i, i + GROUP));
  return groups.join('-');
}

/** What an admin typed, without the dashes and whitespace that only help reading it aloud. */
export function ungroup(code: string): string {
  return code.replace(/[\s-]/g, '');
}

export function isBase58(text: string): boolean {
  return BASE58.test(text);
}

/** Decodes a grouped base58 code, or null when it is not base58 at all. */
export function decodeBase58Groups(code: string): Uint8Array | null {
  const text = ungroup(code);
  if (!isBase58(text)) return null;
  return bs58.decode(text);
}
