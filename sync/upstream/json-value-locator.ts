/**
 * Finds where a value sits in JSON text, so that a schema error on `lines[3].quantity` can name its line and
 * column like a CSV error does. The text has already passed JSON.parse, so the scanner only has to skip, not
 * to validate. When the path ends at a missing key, the position of the object that lacks it is returned.
 */
export interface TextPosition {
  line: number;
  column: number;
}

export function locateJsonValue(text: string, path: ReadonlyArray<PropertyKey>): TextPosition {
  const scanner = new Scanner(text);
  scanner.whitespace();
  let found = scanner.offset;
  for (const key of path) {
    if (!scanner.enter(key)) break;
    found = scanner.offset;
  }
  return positionAt(text, found);
}

/**
 * Where JSON.parse gave up. Node 20's messages do not always carry a position, so a small strict scanner finds
 * the first offending character itself; null if it finds none (then the caller falls back to line 1).
 */
export function positionOfJsonSyntaxError(text: string): TextPosition | null {
  try {
    const offset = new SyntaxScanner(text).firstError();
    return offset === null ? null : positionAt(text, offset);
  } catch {
    // Nesting deep enough to exhaust the stack: no position, the message still says what is wrong.
    return null;
  }
}

export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

class Scanner {
  offset = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  whitespace(): void {
    while (' \t\n\r'.includes(this.#char()) && this.#char() !== '') this.offset += 1;
  }

  /** Moves to the value under key in the object or array at the cursor; false if there is none. */
  enter(key: PropertyKey): boolean {
    const open = this.#char();
    if (!((open === '{' && typeof key === 'string') || (open === '[' && typeof key === 'number'))) return false;
    const start = this.offset;
    this.offset += 1;
    for (let index = 0; ; index += 1) {
      this.whitespace();
      if (this.#char() === '}' || this.#char() === ']' || this.#char() === '') break;
      if (open === '{') {
        const name = this.#string();
        this.whitespace();
        this.offset += 1; // the colon
        this.whitespace();
        if (name === key) return true;
      } else if (index === key) {
        return true;
      }
      this.#skipValue();
      this.whitespace();
      if (this.#char() === ',') this.offset += 1;
    }
    this.offset = start;
    return false;
  }

  #char(): string {
    return this.#text.charAt(this.offset);
  }

  #string(): string {
    const start = this.offset;
    this.#skipString();
    const value: unknown = JSON.parse(this.#text.slice(start, this.offset));
    return typeof value === 'string' ? value : '';
  }

  #skipString(): void {
    this.offset += 1;
    while (this.offset < this.#text.length) {
      const c = this.#char();
      this.offset += c === '\\' ? 2 : 1;
      if (c === '"') return;
    }
  }

  #skipValue(): void {
    const c = this.#char();
    if (c === '"') {
      this.#skipString();
      return;
    }
    if (c !== '{' && c !== '[') {
      while (this.offset < this.#text.length && !',}] \t\n\r'.includes(this.#char())) this.offset += 1;
      return;
    }
    let depth = 0;
    while (this.offset < this.#text.length) {
      const d = this.#char();
      if (d === '"') {
        this.#skipString();
        continue;
      }
      if (d === '{' || d === '[') depth += 1;
      if (d === '}' || d === ']') depth -= 1;
      this.offset += 1;
      if (depth === 0) return;
    }
  }
}

class SyntaxFound extends Error {}

/** A strict JSON grammar walk that stops at the first character that breaks it. */
class SyntaxScanner {
  #i = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  firstError(): number | null {
    try {
      this.#ws();
      this.#value();
      this.#ws();
      if (this.#i !== this.#text.length) this.#fail();
      return null;
    } catch (error) {
      if (error instanceof SyntaxFound) return Math.min(this.#i, this.#text.length);
      throw error;
    }
  }

  #fail(): never {
    throw new SyntaxFound();
  }

  #char(): string {
    return this.#text.charAt(this.#i);
  }

  #ws(): void {
    while (this.#char() !== '' && ' \t\n\r'.includes(this.#char())) this.#i += 1;
  }

  #value(): void {
    const c = this.#char();
    if (c === '{') this.#container('}', () => {
      if (this.#char() !== '"') this.#fail();
      this.#string();
      this.#ws();
      if (this.#char() !== ':') this.#fail();
      this.#i += 1;
      this.#ws();
      this.#value();
    });
    else if (c === '[') this.#container(']', () => this.#value());
    else if (c === '"') this.#string();
    else if (c === 't' || c === 'f' || c === 'n') this.#literal();
    else this.#number();
  }

  #container(close: string, member: () => void): void {
    this.#i += 1;
    this.#ws();
    if (this.#char() === close) {
      this.#i += 1;
      return;
    }
    for (;;) {
      this.#ws();
      member();
      this.#ws();
      const c = this.#char();
      this.#i += 1;
      if (c === close) return;
      if (c !== ',') {
        this.#i -= 1;
        this.#fail();
      }
    }
  }

  #string(): void {
    this.#i += 1;
    for (;;) {
      const c = this.#char();
      if (c === '' || c < ' ') this.#fail();
      if (c === '"') {
        this.#i += 1;
        return;
      }
      if (c !== '\\') {
        this.#i += 1;
        continue;
      }
      const next = this.#text.charAt(this.#i + 1);
      if (next !== '' && 'bfnrt"\\/'.includes(next)) this.#i += 2;
      else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.#text.slice(this.#i + 2, this.#i + 6))) this.#i += 6;
      else {
        this.#i += 1;
        this.#fail();
      }
    }
  }

  #literal(): void {
    const word = ['true', 'false', 'null'].find((w) => this.#text.startsWith(w, this.#i));
    if (word === undefined) this.#fail();
    this.#i += word.length;
  }

  #number(): void {
    const pattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    pattern.lastIndex = this.#i;
    if (pattern.exec(this.#text) === null) this.#fail();
    this.#i = pattern.lastIndex;
  }
}
