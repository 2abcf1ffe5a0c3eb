import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * A small, hostile-input-safe XML reader for the Call Home transport (DESIGN §4.4). fast-xml-parser does
 * the tokenizing; this module adds what it lacks: refusal of DTDs and processing instructions before any
 * parsing, our own decoding of the five predefined entities and character references (so nothing is ever
 * expanded), a few well-formedness checks the validator skips, and namespace resolution.
 */

export class CallHomeDecodeError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'CallHomeDecodeError';
    this.reason = reason;
  }
}

export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
  readonly cdata: boolean;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly ns: string | null;
  readonly local: string;
  /** Keyed by the attribute name as written; only unprefixed attributes are read by the codec. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlText | XmlElement;

export const MAX_CALL_HOME_DOCUMENT_BYTES = 256 * 1024;
const MAX_DEPTH = 64;
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
// XML 1.0 §2.2 Char production; anything else cannot appear in a document, even as a character reference.
const NON_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
});

export function hasNonXmlChar(text: string): boolean {
  return NON_XML_CHAR.test(text);
}

/** Parses a whole document and returns its single root element with namespaces resolved. */
export function readXmlDocument(input: string): XmlElement {
  if (Buffer.byteLength(input, 'utf8') > MAX_CALL_HOME_DOCUMENT_BYTES) {
    throw new CallHomeDecodeError(`document exceeds ${MAX_CALL_HOME_DOCUMENT_BYTES} bytes`);
  }
  // End-of-line normalization (XML §2.11) comes before parsing; a BOM or blank lines that HTTP clients
  // put before the declaration are tolerated rather than failing the device.
  const xml = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trimStart();
  if (xml === '') throw new CallHomeDecodeError('malformed XML: empty document');
  refuseDeclarationsAndInstructions(xml);
  if (hasNonXmlChar(xml)) throw new CallHomeDecodeError('malformed XML: character not allowed in XML');
  const verdict = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (verdict !== true) {
    throw new CallHomeDecodeError(`malformed XML: ${verdict.err.msg} (line ${verdict.err.line})`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    throw new CallHomeDecodeError(`malformed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const roots = toNodes(parsed, new Map([['xml', XML_NAMESPACE]]), 0);
  const elements = roots.filter((node): node is XmlElement => node.kind === 'element');
  const strayText = roots.some((node) => node.kind === 'text' && node.text.trim() !== '');
  if (elements.length !== 1 || strayText) {
    throw new CallHomeDecodeError('malformed XML: a document must have exactly one root element');
  }
  const [root] = elements;
  if (root === undefined) throw new CallHomeDecodeError('malformed XML: no root element');
  return root;
}

/**
 * Scans the raw text, comments and CDATA included: a scanner that tried to skip comments or CDATA could be
 * steered by a crafted `<!-- <![CDATA[ -->` into missing a DOCTYPE behind it. Our own encoder splits CDATA
 * so that `<!` and `<?` never appear in its output.
 */
function refuseDeclarationsAndInstructions(xml: string): void {
  for (const match of xml.matchAll(/<!(?!--|\[CDATA\[)(.{0,8})/gs)) {
    const keyword = (match[1] ?? '').toUpperCase();
    if (keyword.startsWith('DOCTYPE')) throw new CallHomeDecodeError('DTD declarations are not allowed (<!DOCTYPE)');
    if (keyword.startsWith('ENTITY')) throw new CallHomeDecodeError('DTD entity declarations are not allowed (<!ENTITY)');
    throw new CallHomeDecodeError('DTD markup declarations are not allowed');
  }
  const declaration = /^<\?xml[ \t\n][^<>]*?\?>/.exec(xml);
  const body = declaration === null ? xml : xml.slice(declaration[0].length);
  if (body.includes('<?')) throw new CallHomeDecodeError('processing instructions are not allowed');
}

/** Decodes the predefined entities and character references; any other reference is undefined (no DTD). */
function decodeReferences(raw: string): string {
  return raw.replace(/&([^&;]*)(;?)/g, (_whole, name: string, semicolon: string) => {
    if (semicolon === '') throw new CallHomeDecodeError('malformed XML: unescaped "&"');
    const predefined = PREDEFINED_ENTITIES[name];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    const codePoint = numeric === null ? NaN : parseInt(numeric[1] ?? numeric[2] ?? '', numeric[1] === undefined ? 10 : 16);
    if (Number.isNaN(codePoint)) throw new CallHomeDecodeError(`malformed XML: undefined entity "&${name.slice(0, 32)};"`);
    const char = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\u0000';
    if (hasNonXmlChar(char)) throw new CallHomeDecodeError(`malformed XML: character reference "&${name};" is not an XML character`);
    return char;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitName(qname: string): { prefix: string; local: string } {
  const parts = qname.split(':');
  if (parts.length === 1) return { prefix: '', local: qname };
  const [prefix, local] = parts;
  if (parts.length !== 2 || !prefix || !local) throw new CallHomeDecodeError(`malformed XML: bad qualified name "${qname.slice(0, 64)}"`);
  return { prefix, local };
}

function readAttributes(raw: unknown): Map<string, string> {
  const attributes = new Map<string, string>();
  if (!isRecord(raw)) return attributes;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new CallHomeDecodeError(`malformed XML: attribute "${name}" has no value`);
    if (value.includes('<')) throw new CallHomeDecodeError('malformed XML: "<" in an attribute value');
    attributes.set(name, decodeReferences(value));
  }
  return attributes;
}

function scopeFor(attributes: ReadonlyMap<string, string>, inherited: ReadonlyMap<string, string>): Map<string, string> {
  const scope = new Map(inherited);
  for (const [name, value] of attributes) {
    if (name === 'xmlns') {
      if (value === '') scope.delete('');
      else scope.set('', value);
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice('xmlns:'.length);
      if (value === '' || prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NAMESPACE) || value === XMLNS_NAMESPACE) {
        throw new CallHomeDecodeError(`malformed XML: illegal namespace declaration "${name}"`);
      }
      scope.set(prefix, value);
    }
  }
  return scope;
}

function resolve(prefix: string, scope: ReadonlyMap<string, string>): string {
  const uri = scope.get(prefix);
  if (uri === undefined) throw new CallHomeDecodeError(`malformed XML: unbound namespace prefix "${prefix}"`);
  return uri;
}

function textOf(children: unknown): string {
  if (!Array.isArray(children)) return '';
  return children.map((child) => (isRecord(child) && typeof child['#text'] === 'string' ? child['#text'] : '')).join('');
}

function toNodes(raw: unknown, scope: ReadonlyMap<string, string>, depth: number): XmlNode[] {
  if (depth > MAX_DEPTH) throw new CallHomeDecodeError('malformed XML: elements nested too deeply');
  if (!Array.isArray(raw)) throw new CallHomeDecodeError('malformed XML: unexpected parser output');
  const nodes: XmlNode[] = [];
  for (const item of raw) {
    if (!isRecord(item)) throw new CallHomeDecodeError('malformed XML: unexpected parser output');
    const text = item['#text'];
    if (typeof text === 'string') {
      if (text.includes(']]>')) throw new CallHomeDecodeError('malformed XML: "]]>" in character data');
      nodes.push({ kind: 'text', text: decodeReferences(text), cdata: false });
      continue;
    }
    if ('#cdata' in item) {
      nodes.push({ kind: 'text', text: textOf(item['#cdata']), cdata: true });
      continue;
    }
    const name = Object.keys(item).find((key) => key !== ':@');
    if (name === undefined) throw new CallHomeDecodeError('malformed XML: unexpected parser output');
    const attributes = readAttributes(item[':@']);
    const inner = scopeFor(attributes, scope);
    for (const attribute of attributes.keys()) {
      const { prefix } = splitName(attribute);
      if (prefix !== '' && prefix !== 'xmlns') resolve(prefix, inner);
    }
    const { prefix, local } = splitName(name);
    const ns = prefix === '' ? (inner.get('') ?? null) : resolve(prefix, inner);
    nodes.push({ kind: 'element', ns, local, attributes, children: toNodes(item[name], inner, depth + 1) });
  }
  return nodes;
}
