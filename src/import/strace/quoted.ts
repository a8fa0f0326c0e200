import { isAscii, isUtf8 } from 'node:buffer';

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

/** A quoted strace string decoded to bytes; `bytes` is valid until the next readQuoted call. */
export interface Quoted {
  /** Decoded bytes (a view of a shared scratch buffer, or undefined when `text` holds them). */
  bytes?: Buffer;
  /** The bytes as a latin1 string when the string had no escapes. */
  text?: string;
  /** Position just after the closing quote. */
  end: number;
  /** Some byte is 0x80 or above. */
  high: boolean;
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

/** The line's text from the first backslash on, as bytes, followed by three zero bytes (no escape reads past them). */
let input = Buffer.allocUnsafe(1 << 16);
/** The decoded bytes. */
let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * Decodes the strace-quoted string whose opening quote is at `start`: C escapes, `\ooo` octal and
 * `\xHH` hex (as -x/-xx print them). Throws StraceSyntaxError (cut) when the closing quote is missing.
 *
 * Lines are latin1 text, one char per byte. A string with escapes is decoded from a byte copy of the
 * rest of the line: indexing bytes is about twice as fast as charCodeAt on a slice of the read buffer.
 */
export function readQuoted(s: string, start: number): Quoted {
  const pos = start + 1;
  const close = s.indexOf('"', pos);
  if (close < 0) throw new StraceSyntaxError('unterminated string', start, true);
  const bs = s.indexOf('\\', pos);
  if (bs < 0 || bs > close) {
    const text = s.slice(pos, close);
    return { text, end: close + 1, high: NON_ASCII.test(text) };
  }
  const m = s.length - bs;
  if (input.length < m + 3) input = Buffer.allocUnsafe(Math.max(m + 3, input.length * 2));
  if (scratch.length < s.length - start) scratch = Buffer.allocUnsafe(Math.max(s.length - start, scratch.length * 2));
  const inp = input;
  const out = scratch;
  inp.write(s.substring(bs), 0, 'latin1');
  inp[m] = inp[m + 1] = inp[m + 2] = 0;
  let o = out.write(s.substring(pos, bs), 0, 'latin1');
  let i = 0;
  while (i < m) {
    const c = inp[i];
    if (c === 34) {
      const bytes = out.subarray(0, o);
      return { bytes, end: bs + i + 1, high: !isAscii(bytes) };
    }
    if (c !== 92) {
      out[o++] = c;
      i++;
      continue;
    }
    if (i + 1 >= m) break;
    const e = inp[i + 1];
    if (e >= 48 && e <= 55) {
      // \o, \oo or \ooo: at most three digits.
      let v = e - 48;
      i += 2;
      let d = inp[i];
      if (d >= 48 && d <= 55) {
        v = v * 8 + d - 48;
        d = inp[++i];
        if (d >= 48 && d <= 55) {
          v = v * 8 + d - 48;
          i++;
        }
      }
      out[o++] = v & 255;
    } else if (e === 120) {
      const h1 = HEX[inp[i + 2]];
      const h2 = HEX[inp[i + 3]];
      if (h1 < 0) throw new StraceSyntaxError('bad \\x escape', bs + i, i + 2 >= m);
      if (h2 < 0) {
        out[o++] = h1;
        i += 3;
      } else {
        out[o++] = h1 * 16 + h2;
        i += 4;
      }
    } else {
      const v = SIMPLE_ESCAPES[e];
      out[o++] = v < 0 ? e : v;
      i += 2;
    }
  }
  throw new StraceSyntaxError('unterminated string', start, true);
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The decoded bytes as a JS string when they are ASCII or valid UTF-8, else as a copy of the raw bytes. */
export function bytesToValue(q: Quoted): string | Uint8Array {
  if (q.text !== undefined) {
    if (!q.high) return q.text;
    const b = Buffer.from(q.text, 'latin1');
    return isUtf8(b) ? b.toString('utf8') : new Uint8Array(b);
  }
  const b = q.bytes!;
  if (!q.high) return b.toString('latin1');
  return isUtf8(b) ? b.toString('utf8') : new Uint8Array(b);
}

/** A copy of the decoded bytes, for data buffers. */
export function bytesOf(q: Quoted): Uint8Array {
  return q.text !== undefined ? Buffer.from(q.text, 'latin1') : Buffer.from(q.bytes!);
}

/** Decodes the escapes of a `-y` path annotation (text between `<` and `>`). */
export function decodePath(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const q = readQuoted(`"${s.replace(/"/g, '\\"')}"`, 0);
  const v = bytesToValue(q);
  return typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
}
