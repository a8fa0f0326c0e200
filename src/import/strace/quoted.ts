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

/** A quoted strace string decoded to bytes; `bytes` is valid until the next readQuoted call, unless bytesOf keeps it. */
export interface Quoted {
  /** Decoded bytes (a view of the slab, or undefined when `text` holds them). */
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

/** Buffer's own latin1 writer (a string's chars as bytes, without the argument handling of write()). */
type Latin1Writer = { latin1Write(text: string, offset: number): number };
function writeLatin1(buf: Buffer, text: string, offset: number): number {
  return (buf as unknown as Latin1Writer).latin1Write(text, offset);
}

/** The line's text from the first backslash on, as bytes, followed by three zero bytes (no escape reads past them). */
let input = Buffer.allocUnsafe(1 << 16);

/**
 * Decoded bytes are written into a slab from slabPos on. bytesOf keeps them there (moves slabPos past
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
  slabRoom(s.length - start);
  const inp = input;
  const out = slab;
  writeLatin1(inp, s.substring(bs), 0);
  inp[m] = inp[m + 1] = inp[m + 2] = 0;
  const from = slabPos;
  let o = bs > pos ? from + writeLatin1(out, s.substring(pos, bs), from) : from;
  let i = 0;
  while (i < m) {
    const c = inp[i];
    if (c === 34) {
      const bytes = out.subarray(from, o);
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

/** The decoded bytes, to keep (data buffers): a view of the slab that later strings do not overwrite. */
export function bytesOf(q: Quoted): Uint8Array {
  if (q.text !== undefined) {
    slabRoom(q.text.length);
    const n = writeLatin1(slab, q.text, slabPos);
    const kept = slab.subarray(slabPos, slabPos + n);
    slabPos += n;
    return kept;
  }
  const b = q.bytes!;
  if (b.buffer !== slab.buffer || b.byteOffset !== slabPos) return Buffer.from(b);
  slabPos += b.length;
  return b;
}

/** Decodes the escapes of a `-y` path annotation (text between `<` and `>`). */
export function decodePath(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const q = readQuoted(`"${s.replace(/"/g, '\\"')}"`, 0);
  const v = bytesToValue(q);
  return typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
}
