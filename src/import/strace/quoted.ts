import { isUtf8 } from 'node:buffer';

/** Thrown by the scanner when a line cannot be read; `cut` marks text that ended too early (a wrapped or cut line). */
export class StraceSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly cut: boolean,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES = new Int16Array(256).fill(-1);
for (const [c, v] of [
  ['n', 10],
  ['t', 9],
  ['r', 13],
  ['v', 11],
  ['f', 12],
  ['a', 7],
  ['b', 8],
  ['e', 27],
  ['"', 34],
  ['\\', 92],
  ["'", 39],
  ['?', 63],
] as const)
  SIMPLE_ESCAPES[c.charCodeAt(0)] = v;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

/** Buffer's own latin1 writer (a string's chars as bytes, without the argument handling of write()). */
type Latin1Writer = { latin1Write(text: string, offset: number): number };
function writeLatin1(buf: Buffer, text: string, offset: number): number {
  return (buf as unknown as Latin1Writer).latin1Write(text, offset);
}

/** The line's text from the first backslash on, as bytes, followed by three zero bytes (no escape reads past them). */
let input = Buffer.allocUnsafe(1 << 16);

/**
 * The bytes the line being parsed was decoded from, as its reader registered them (lineBytes): a
 * string of that line is decoded from them in place, without encoding the line's text again, and the
 * line's pid, time and result are read from them (line.ts, scan.ts). Read-only outside this module.
 */
export let lineText = '';
export let lineBuf: Uint8Array = input;
export let lineAt = 0;

/**
 * Registers the bytes `text` was decoded from (latin1): buf[at] on, followed by a newline, which
 * ends every escape at the line's end as the zero bytes after a copy do. scanQuoted uses them for a
 * line equal to `text` (equal text is equal bytes); any other line is copied as before.
 */
export function lineBytes(text: string, buf: Uint8Array, at: number): void {
  lineText = text;
  lineBuf = buf;
  lineAt = at;
}

/** Forgets the registered line bytes (their buffer is about to be reused). */
export function forgetLineBytes(): void {
  lineText = '';
  lineBuf = input;
  lineAt = 0;
}

/**
 * Decoded bytes are written into a slab from slabPos on. quotedBytes keeps them there (moves slabPos past
 * them) and hands out a view, instead of copying them into a buffer of their own; a full slab is
 * replaced by a new one, and the views keep the old one alive.
 */
const SLAB_BYTES = 256 << 10;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabPos = 0;

/** Makes room in the slab for `n` bytes from slabPos. */
function slabRoom(n: number): void {
  if (slab.length - slabPos >= n) return;
  slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, n));
  slabPos = 0;
}

/**
 * What scanQuoted decoded last, kept here rather than in an object per string: the text itself when
 * it had no escapes, else its bytes in the slab from qFrom to qTo; and whether a byte is 0x80 or above.
 */
let qText: string | undefined;
let qFrom = 0;
let qTo = 0;
let qHigh = false;

/**
 * Decodes the strace-quoted string whose opening quote is at `start`: C escapes, `\ooo` octal and
 * `\xHH` hex (as -x/-xx print them). Returns the position just after the closing quote; the string
 * is then read with quotedValue() or quotedBytes(), before the next call. Throws StraceSyntaxError
 * (cut) when the closing quote is missing.
 *
 * Lines are latin1 text, one char per byte. A string with escapes is decoded from a byte copy of the
 * rest of the line: indexing bytes is faster than charCodeAt, even on a flat string.
 */
export function scanQuoted(s: string, start: number): number {
  const pos = start + 1;
  const close = s.indexOf('"', pos);
  if (close < 0) throw new StraceSyntaxError('unterminated string', start, true);
  const bs = s.indexOf('\\', pos);
  if (bs < 0 || bs > close) {
    qText = s.slice(pos, close);
    qHigh = NON_ASCII.test(qText);
    return close + 1;
  }
  // The bytes from the backslash to the end of the line are inp[base] to inp[m - 1], and a byte
  // that is no digit follows them.
  let m = s.length - bs;
  let inp: Uint8Array;
  let base: number;
  if (s === lineText) {
    inp = lineBuf;
    base = lineAt + bs;
  } else {
    if (input.length < m + 3) input = Buffer.allocUnsafe(Math.max(m + 3, input.length * 2));
    inp = input;
    base = 0;
    writeLatin1(input, s.substring(bs), 0);
    inp[m] = inp[m + 1] = inp[m + 2] = 0;
  }
  m += base;
  slabRoom(s.length - start);
  const out = slab;
  const from = slabPos;
  let o = from;
  let hi = 0;
  if (bs > pos) {
    const plain = s.substring(pos, bs);
    o += writeLatin1(out, plain, from);
    if (NON_ASCII.test(plain)) hi = 128;
  }
  let i = base;
  while (i < m) {
    const c = inp[i];
    if (c === 34) {
      qText = undefined;
      qFrom = from;
      qTo = o;
      qHigh = hi >= 128;
      return bs + i - base + 1;
    }
    if (c !== 92) {
      out[o++] = c;
      hi |= c;
      i++;
      continue;
    }
    if (i + 1 >= m) break;
    const e = inp[i + 1];
    let v: number;
    if (e === 48 && (inp[i + 2] < 48 || inp[i + 2] > 55)) {
      // A run of \0 (zero bytes, the commonest escape in binary data), each not followed by a digit.
      do {
        out[o++] = 0;
        i += 2;
      } while (i + 1 < m && inp[i] === 92 && inp[i + 1] === 48 && (inp[i + 2] < 48 || inp[i + 2] > 55));
      continue;
    }
    if (e >= 48 && e <= 55) {
      // \o, \oo or \ooo: at most three digits.
      v = e - 48;
      i += 2;
      let d = inp[i];
      if (d >= 48 && d <= 55) {
        v = v * 8 + d - 48;
        d = inp[++i];
        if (d >= 48 && d <= 55) {
          v = (v * 8 + d - 48) & 255;
          i++;
        }
      }
    } else if (e === 120) {
      const h1 = HEX[inp[i + 2]];
      if (h1 < 0) throw new StraceSyntaxError('bad \\x escape', bs + i - base, i + 2 >= m);
      const h2 = HEX[inp[i + 3]];
      if (h2 < 0) {
        v = h1;
        i += 3;
      } else {
        v = h1 * 16 + h2;
        i += 4;
      }
    } else {
      v = SIMPLE_ESCAPES[e];
      if (v < 0) v = e;
      i += 2;
    }
    out[o++] = v;
    hi |= v;
  }
  throw new StraceSyntaxError('unterminated string', start, true);
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The string scanQuoted decoded last, as a JS string when it is ASCII or valid UTF-8, else as a copy of its bytes. */
export function quotedValue(): string | Uint8Array {
  if (qText !== undefined) {
    if (!qHigh) return qText;
    const b = Buffer.from(qText, 'latin1');
    return isUtf8(b) ? b.toString('utf8') : new Uint8Array(b);
  }
  if (!qHigh) return slab.toString('latin1', qFrom, qTo);
  const b = slab.subarray(qFrom, qTo);
  return isUtf8(b) ? b.toString('utf8') : new Uint8Array(b);
}

/** The bytes scanQuoted decoded last, to keep (data buffers): a view of the slab that later strings do not overwrite. */
export function quotedBytes(): Uint8Array {
  if (qText !== undefined) {
    slabRoom(qText.length);
    qFrom = slabPos;
    qTo = slabPos + writeLatin1(slab, qText, slabPos);
  }
  // Decoded bytes start at slabPos (nothing has been written to the slab since).
  slabPos = qTo;
  return new Uint8Array(slab.buffer, slab.byteOffset + qFrom, qTo - qFrom);
}

/** A decoded quoted string as one object (for tests and other users of this module; the parser uses scanQuoted). */
export interface Quoted {
  /** The decoded value: see quotedValue(). */
  value: string | Uint8Array;
  /** Position just after the closing quote. */
  end: number;
  /** Some byte is 0x80 or above. */
  high: boolean;
}

/** scanQuoted and quotedValue in one call. */
export function readQuoted(s: string, start: number): Quoted {
  const end = scanQuoted(s, start);
  return { value: quotedValue(), end, high: qHigh };
}

/** Decodes the escapes of a `-y` path annotation (text between `<` and `>`). */
export function decodePath(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  scanQuoted(`"${s.replace(/"/g, '\\"')}"`, 0);
  const v = quotedValue();
  return typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
}
