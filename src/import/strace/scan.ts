import { A, type ArgValue, type Int64 } from '../../model/index.js';
import { decodePath, lineAt, lineBuf, lineText, quotedBytes, quotedValue, scanQuoted, StraceSyntaxError } from './quoted.js';

const MAX_DEPTH = 200;
const DELETED = '(deleted)';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Character classes of the scanner, indexed by char code (0..127). */
const C_IDENT_START = 1;
const C_IDENT = 2;
const C_DIGIT = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLASS[c] |= C_IDENT_START | C_IDENT;
  if (/[0-9]/.test(ch)) CLASS[c] |= C_DIGIT | C_IDENT;
}

function isIdentStart(c: number): boolean {
  return c < 128 && (CLASS[c] & C_IDENT_START) !== 0;
}
function isIdent(c: number): boolean {
  return c < 128 && (CLASS[c] & C_IDENT) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The `= ...` part of a call line, decoded. */
export interface CallResult {
  retval: Int64;
  /** Positive errno (including restart codes), 0 when none. */
  errnoName?: string;
  unknown: boolean;
  annotation?: string;
  durationNs?: number;
}

/**
 * Parses seconds with an optional fraction (`0.000123`, `12.5`, `7`) between `start` and `end` into
 * integer nanoseconds (digits past the ninth are dropped); -1 when the text is not of that form.
 */
export function parseSecondsNs(s: string, start: number, end: number): number {
  let sec = 0;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return -1;
    sec = sec * 10 + (c - 48);
  }
  if (i === start) return -1;
  const frac = fractionNs(s, i, end);
  return frac < 0 ? -1 : sec * 1e9 + frac;
}

/** The fraction after the `.` at `dot` (up to `end`) in nanoseconds, digits past the ninth dropped; 0 when there is no `.`; -1 when no digits or not all digits follow it. */
export function fractionNs(s: string, dot: number, end: number): number {
  if (dot >= end) return 0;
  if (dot + 1 >= end) return -1;
  // Whole digits only (no division per digit), then scaled once.
  let frac = 0;
  const nine = dot + 10;
  for (let i = dot + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    if (i < nine) frac = frac * 10 + (c - 48);
  }
  return fractionDigitsNs(frac, end - dot - 1);
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/** Nanoseconds of a fraction of `digits` digits whose first nine (at most) are `frac`: `5` of `.5` is 500000000. */
export function fractionDigitsNs(frac: number, digits: number): number {
  return digits >= 9 ? frac : frac * POW10[9 - digits];
}

/**
 * A hand-written scanner over one strace line: argument lists into typed ArgValue trees, and the
 * result tail. Positions are char offsets into the line; errors are StraceSyntaxError.
 */
export class Scanner {
  pos = 0;
  private depth = 0;
  /** Index of the top-level argument whose string is kept as raw bytes (a data buffer), or -1. */
  bytesArg = -1;
  constructor(readonly s: string) {}

  private fail(msg: string): never {
    throw new StraceSyntaxError(msg, this.pos, this.pos >= this.s.length);
  }

  /** Fails for text that is open at the end of the line (the line was cut or wrapped there). */
  private failAtEnd(msg: string): never {
    this.pos = this.s.length;
    this.fail(msg);
  }

  private skipSpaces(): void {
    const s = this.s;
    while (this.pos < s.length && s.charCodeAt(this.pos) === 32) this.pos++;
  }

  /** Reads `item, item, ...)` (the opening parenthesis already consumed); positions after `)`. */
  parseArgs(): ArgValue[] {
    return this.parseList(41, false) as ArgValue[];
  }

  /** Whether the list parseList read last ended in `...` (`[...]` and `{...}` lists only). */
  private listTrunc = false;

  /** Reads a list's items up to `closer`: values, or [name, value] fields in a struct. Sets listTrunc. */
  private parseList(closer: number, inStruct: boolean): ArgValue[] | [string, ArgValue][] {
    const s = this.s;
    const items: (ArgValue | [string, ArgValue])[] = [];
    let trunc = false;
    if (++this.depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipSpaces();
    for (;;) {
      if (this.pos >= s.length) this.fail('unexpected end of line');
      let c = s.charCodeAt(this.pos);
      if (c === closer) {
        this.pos++;
        break;
      }
      if (c === 46 && s.startsWith('...', this.pos) && this.isListEnd(this.pos + 3, closer)) {
        this.pos += 3;
        if (closer !== 41) trunc = true;
        else items.push(A.more());
      } else {
        const name = this.fieldName();
        const v = this.depth === 1 && items.length === this.bytesArg && c === 34 ? this.parseBytes() : this.parseValue();
        if (inStruct) items.push([name ?? '', v]);
        else items.push(name === undefined ? v : A.op('=', A.sym(name), v));
      }
      this.skipSpaces();
      if (this.pos >= s.length) this.fail('unexpected end of line');
      c = s.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skipSpaces();
      } else if (c !== closer && closer === 41) {
        this.fail(`expected "," or ")"`);
      }
    }
    this.depth--;
    this.listTrunc = trunc;
    return items as ArgValue[] | [string, ArgValue][];
  }

  private isListEnd(p: number, closer: number): boolean {
    const s = this.s;
    while (p < s.length && s.charCodeAt(p) === 32) p++;
    if (p >= s.length) return true;
    const c = s.charCodeAt(p);
    return c === closer || c === 44;
  }

  private fieldName(): string | undefined {
    const s = this.s;
    const start = this.pos;
    const c0 = s.charCodeAt(start);
    if (c0 === 91) return this.designator();
    if (!isIdentStart(c0)) return undefined;
    let p = start + 1;
    for (; p < s.length; p++) {
      const c = s.charCodeAt(p);
      if (!(isIdent(c) || c === 46 || c === 91 || c === 93)) break;
    }
    if (s.charCodeAt(p) === 61 && s.charCodeAt(p + 1) !== 61) {
      this.pos = p + 1;
      return s.slice(start, p);
    }
    return undefined;
  }

  private designator(): string | undefined {
    const s = this.s;
    let p = this.pos + 1;
    while (p < s.length && (isIdent(s.charCodeAt(p)) || s.charCodeAt(p) === 32 || s.charCodeAt(p) === 43 || s.charCodeAt(p) === 45)) p++;
    if (s.charCodeAt(p) !== 93 || s.charCodeAt(p + 1) !== 61 || s.charCodeAt(p + 2) === 61) return undefined;
    const name = s.slice(this.pos, p + 1);
    this.pos = p + 2;
    return name;
  }

  /** Reads one value with its postfix forms: flag sets, fd annotations, comments, `=>`, `==`, `&&`. */
  parseValue(): ArgValue {
    if (++this.depth > MAX_DEPTH) this.fail('nesting too deep');
    const v = this.parseValueInner();
    this.depth--;
    return v;
  }

  private parseValueInner(): ArgValue {
    const s = this.s;
    const start = this.pos;
    let v = this.parsePrimary();
    for (let wraps = 0; ; wraps++) {
      if (wraps > MAX_DEPTH) this.fail('expression too deep');
      const c = s.charCodeAt(this.pos);
      if (c === 124) {
        const parts = [s.slice(start, this.pos)];
        while (s.charCodeAt(this.pos) === 124) {
          const from = ++this.pos;
          this.parsePrimary();
          for (;;) {
            const d = s.charCodeAt(this.pos);
            if (d === 42) this.pos++;
            else if (d === 60 && s.charCodeAt(this.pos + 1) === 60) this.pos += 2;
            else break;
            this.parsePrimary();
          }
          parts.push(s.slice(from, this.pos));
        }
        v = { k: 'flags', v: parts };
        continue;
      }
      if (c === 60 && v.k === 'comment' && v.of?.k === 'int' && s.charCodeAt(this.pos + 1) !== 60) {
        v = A.comment(v.v, A.fd(Number(v.of.v), this.readAngle()));
        continue;
      }
      if (c === 42 || (c === 43 && this.pos > start) || (c === 60 && s.charCodeAt(this.pos + 1) === 60)) {
        const op = c === 60 ? '<<' : String.fromCharCode(c);
        this.pos += op.length;
        v = A.op(op, v, this.parsePrimary());
        continue;
      }
      if (c !== 32) return v;
      const c1 = s.charCodeAt(this.pos + 1);
      if (c1 === 47 && s.charCodeAt(this.pos + 2) === 42) {
        const end = s.indexOf('*/', this.pos + 3);
        if (end < 0) this.failAtEnd('unterminated comment');
        v = A.comment(s.slice(this.pos + 3, end).trim(), v);
        this.pos = end + 2;
        continue;
      }
      // ` /` or ` ` ending the line: a comment (or a binary operator) a wrap cut off.
      if ((c1 === 47 && this.pos + 2 === s.length) || this.pos + 1 === s.length) this.failAtEnd('unterminated comment');
      const op = this.binaryOp(this.pos + 1);
      if (!op) return v;
      this.pos += op.length + 2;
      v = A.op(op, v, this.parseValue());
    }
  }

  private binaryOp(p: number): string | undefined {
    const s = this.s;
    const a = s.charCodeAt(p);
    const b = s.charCodeAt(p + 1);
    if (s.charCodeAt(p + 2) !== 32) return undefined;
    if (a === 61 && (b === 62 || b === 61)) return a === 61 && b === 62 ? '=>' : '==';
    if (a === 38 && b === 38) return '&&';
    if (a === 124 && b === 124) return '||';
    if (a === 33 && b === 61) return '!=';
    return undefined;
  }

  private parseNested(): ArgValue {
    if (++this.depth > MAX_DEPTH) this.fail('nesting too deep');
    const v = this.parsePrimary();
    this.depth--;
    return v;
  }

  private parsePrimary(): ArgValue {
    const s = this.s;
    if (this.pos >= s.length) this.fail('unexpected end of line');
    const c = s.charCodeAt(this.pos);
    if (c === 34) return this.parseString();
    if (c === 91) {
      this.pos++;
      const items = this.parseList(93, false) as ArgValue[];
      return A.array(items, this.listTrunc);
    }
    if (c === 123) {
      this.pos++;
      const fields = this.parseList(125, true) as [string, ArgValue][];
      return A.struct(fields, this.listTrunc);
    }
    if (c === 45 || isDigit(c)) return this.parseNumber();
    if (isIdentStart(c)) return this.parseIdent();
    if (c === 126) {
      this.pos++;
      return A.not(this.parseNested());
    }
    if (c === 47 && s.charCodeAt(this.pos + 1) === 42) {
      const end = s.indexOf('*/', this.pos + 2);
      if (end < 0) this.failAtEnd('unterminated comment');
      const v = A.comment(s.slice(this.pos + 2, end).trim());
      this.pos = end + 2;
      return v;
    }
    if (c === 46 && s.startsWith('...', this.pos)) {
      this.pos += 3;
      return A.more();
    }
    if (c === 38) {
      this.pos++;
      const inner = this.parseNested();
      return inner.k === 'sym' ? A.sym(`&${inner.v}`) : A.fn('&', [inner]);
    }
    if (c === 64 && s.charCodeAt(this.pos + 1) === 34) {
      const start = this.pos;
      this.pos++;
      this.parseString();
      return A.raw(s.slice(start, this.pos));
    }
    if (c === 63) {
      this.pos++;
      return A.sym('?');
    }
    return this.parseRaw();
  }

  private parseRaw(): ArgValue {
    const s = this.s;
    const start = this.pos;
    let depth = 0;
    for (; this.pos < s.length; this.pos++) {
      const c = s.charCodeAt(this.pos);
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) {
        if (depth === 0) break;
        depth--;
      } else if (c === 44 && depth === 0) break;
      else if (c === 34) this.pos = scanQuoted(s, this.pos) - 1;
    }
    if (this.pos === start) this.fail(`unexpected "${s[start]}"`);
    return A.raw(s.slice(start, this.pos).trimEnd());
  }

  private parseBytes(): ArgValue {
    this.pos = scanQuoted(this.s, this.pos);
    const v = quotedBytes();
    return this.stringEllipsis() ? A.str(v, true) : A.str(v);
  }

  /** Reads the `...` after a string strace cut at -s (true), failing as cut on a `.` or `..` that ends the line. */
  private stringEllipsis(): boolean {
    const s = this.s;
    if (s.charCodeAt(this.pos) !== 46) return false;
    if (s.startsWith('...', this.pos)) {
      this.pos += 3;
      return true;
    }
    if (s.length - this.pos <= 2 && /^\.\.?$/.test(s.slice(this.pos))) this.failAtEnd('unterminated "..."');
    return false;
  }

  private parseString(): ArgValue {
    this.pos = scanQuoted(this.s, this.pos);
    const v = quotedValue();
    return A.str(v, this.stringEllipsis());
  }

  /** Reads an integer (decimal, 0x hex, 0 octal, negative) and an `N<path>` fd annotation after it. */
  private parseNumber(): ArgValue {
    const n = this.readInt();
    if (n === undefined) return this.parseRaw();
    if (this.s.charCodeAt(this.pos) === 60 && this.s.charCodeAt(this.pos + 1) !== 60) {
      const path = this.readAngle();
      return A.fd(typeof n.v === 'bigint' ? Number(n.v) : n.v, path);
    }
    if (n.raw !== undefined) return A.raw(n.raw);
    return A.int(n.v, n.base);
  }

  /** Reads an integer at pos; undefined (pos unchanged) when there is none. */
  readInt(): { v: Int64; base: 8 | 10 | 16; raw?: string } | undefined {
    const s = this.s;
    const start = this.pos;
    let p = start;
    const neg = s.charCodeAt(p) === 45;
    if (neg) p++;
    if (!isDigit(s.charCodeAt(p))) return undefined;
    let base: 8 | 10 | 16 = 10;
    if (s.charCodeAt(p) === 48 && (s.charCodeAt(p + 1) === 120 || s.charCodeAt(p + 1) === 88)) {
      base = 16;
      p += 2;
    } else if (s.charCodeAt(p) === 48 && isDigit(s.charCodeAt(p + 1))) base = 8;
    const ds = p;
    let v = 0;
    for (; p < s.length; p++) {
      const c = s.charCodeAt(p);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (base === 16 && c >= 97 && c <= 102) d = c - 87;
      else if (base === 16 && c >= 65 && c <= 70) d = c - 55;
      else break;
      v = v * base + d;
    }
    if (p === ds) return undefined;
    if (isIdent(s.charCodeAt(p)) || s.charCodeAt(p) === 46) return undefined;
    this.pos = p;
    if (Number.isSafeInteger(v)) return { v: neg ? -v : v, base };
    const digits = s.slice(ds, p);
    let big = BigInt(base === 16 ? `0x${digits}` : base === 8 ? `0o${digits}` : digits);
    if (neg) big = -big;
    if (big < INT64_MIN || big > INT64_MAX) return { v: big, base, raw: s.slice(start, p) };
    return { v: big, base };
  }

  /** Reads `<...>` at pos (nested `<...>` allowed, as in `-yy` device notes; a `(deleted)` after it kept) and returns the decoded text. */
  private readAngle(): string {
    const s = this.s;
    let depth = 0;
    let square = 0;
    const start = this.pos + 1;
    for (let p = this.pos; p < s.length; p++) {
      const c = s.charCodeAt(p);
      if (c === 92) {
        p++;
        continue;
      }
      if (c === 91) square++;
      else if (c === 93 && square > 0) square--;
      else if (square > 0) continue;
      else if (c === 60) depth++;
      else if (c === 62 && --depth === 0) {
        this.pos = p + 1;
        // A -yy device note at the end (`/dev/null<char 1:3>`) is not part of the path.
        let end = p;
        if (s.charCodeAt(p - 1) === 62) {
          // Its last `<` (searched by hand: lastIndexOf is a slow call on a line's slice).
          let note = p - 2;
          while (note > start && s.charCodeAt(note) !== 60) note--;
          if (note > start) end = note;
        }
        const path = decodePath(s.slice(start, end));
        if (s.charCodeAt(this.pos) !== 40 || !s.startsWith(DELETED, this.pos)) return path;
        this.pos += DELETED.length;
        return `${path} ${DELETED}`;
      }
    }
    this.failAtEnd('unterminated <...> annotation');
  }

  private parseIdent(): ArgValue {
    const s = this.s;
    const start = this.pos;
    let p = start + 1;
    while (p < s.length && isIdent(s.charCodeAt(p))) p++;
    const name = s.slice(start, p);
    this.pos = p;
    const c = s.charCodeAt(p);
    if (c === 40) {
      this.pos++;
      return A.fn(name, this.parseList(41, false) as ArgValue[]);
    }
    if (c === 60 && name === 'AT_FDCWD') return A.fd(-100, this.readAngle());
    return A.sym(name);
  }

  /**
   * The usual result tail from the line's registered bytes (faster than charCodeAt): ` = N` with a
   * decimal N, and a ` <SECONDS.FRACTION>` duration or nothing after it. Returns undefined (pos
   * unchanged) for any other form, which parseResult then reads from the text. The newline after
   * the line's bytes stops every loop at its end.
   */
  private bytesResult(): CallResult | undefined {
    const b = lineBuf;
    const o = lineAt;
    const n = this.s.length;
    let i = this.pos;
    let c = b[o + i];
    while (c === 32) c = b[o + ++i];
    if (c !== 61 || b[o + i + 1] !== 32) return undefined;
    i += 2;
    c = b[o + i];
    const neg = c === 45;
    if (neg) c = b[o + ++i];
    if (c < 48 || c > 57 || (c === 48 && b[o + i + 1] >= 48 && b[o + i + 1] <= 57)) return undefined;
    const start = i;
    let v = 0;
    do {
      v = v * 10 + c - 48;
      c = b[o + ++i];
    } while (c >= 48 && c <= 57);
    if (i - start > 15) return undefined;
    const r: CallResult = { retval: neg ? -v : v, unknown: false };
    if (i === n) {
      this.pos = i;
      return r;
    }
    if (c !== 32 || b[o + i + 1] !== 60) return undefined;
    i += 2;
    let sec = 0;
    let digits = 0;
    for (c = b[o + i]; c >= 48 && c <= 57 && digits < 12; c = b[o + ++i], digits++) sec = sec * 10 + c - 48;
    if (digits === 0 || c !== 46) return undefined;
    let frac = 0;
    digits = 0;
    for (c = b[o + ++i]; c >= 48 && c <= 57; c = b[o + ++i], digits++) if (digits < 9) frac = frac * 10 + c - 48;
    if (digits === 0 || c !== 62 || i + 1 !== n) return undefined;
    r.durationNs = sec * 1e9 + fractionDigitsNs(frac, digits);
    this.pos = n;
    return r;
  }

  /** Reads the result tail after `)`: `= N`, `= -1 ENAME (text)`, `= ?`, annotations and ` <duration>`. */
  parseResult(): CallResult {
    if (this.s === lineText) {
      const r = this.bytesResult();
      if (r) return r;
    }
    const s = this.s;
    this.skipSpaces();
    if (s.charCodeAt(this.pos) !== 61) this.fail('expected "="');
    this.pos++;
    this.skipSpaces();
    const r: CallResult = { retval: 0, unknown: false };
    if (s.charCodeAt(this.pos) === 63) {
      r.unknown = true;
      this.pos++;
    } else {
      const start = this.pos;
      const n = this.readInt();
      if (!n) {
        // `= -`, `= 0x`: a value the line's end cut.
        if (/^-?(0[xX])?$/.test(s.slice(start))) this.failAtEnd('expected a return value');
        this.fail('expected a return value');
      }
      r.retval = n.raw !== undefined ? BigInt.asIntN(64, n.v as bigint) : n.v;
      if (s.charCodeAt(this.pos) === 60) r.annotation = this.readAngle();
    }
    for (;;) {
      this.skipSpaces();
      if (this.pos >= s.length) return r;
      const c = s.charCodeAt(this.pos);
      if (c === 60) {
        const end = s.indexOf('>', this.pos);
        if (end < 0) this.failAtEnd('unterminated duration');
        const ns = parseSecondsNs(s, this.pos + 1, end);
        if (ns >= 0) r.durationNs = ns;
        else if (end - this.pos - 1 !== 11 || !s.startsWith('unavailable', this.pos + 1)) this.fail('bad duration');
        this.pos = end + 1;
      } else if (c === 40) {
        const end = this.matchParen(this.pos);
        const text = s.slice(this.pos + 1, end);
        if (!r.errnoName) r.annotation = r.annotation === undefined ? `(${text})` : `${r.annotation} (${text})`;
        this.pos = end + 1;
      } else if (isIdentStart(c) && !r.errnoName) {
        const start = this.pos;
        while (this.pos < s.length && isIdent(s.charCodeAt(this.pos))) this.pos++;
        r.errnoName = s.slice(start, this.pos);
      } else {
        this.fail('unexpected text after the return value');
      }
    }
  }

  private matchParen(p: number): number {
    const s = this.s;
    let depth = 0;
    for (; p < s.length; p++) {
      const c = s.charCodeAt(p);
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0) return p;
      else if (c === 34) p = scanQuoted(s, p) - 1;
    }
    this.failAtEnd('unterminated "("');
  }
}

