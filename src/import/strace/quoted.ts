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

/** A quoted strace string decoded to bytes held in a latin1 string (one char per byte). */
export interface Quoted {
  /** Decoded bytes, one char (0..255) per byte. */
  bytes: string;
  /** Position just after the closing quote. */
  end: number;
  /** Some byte is 0x80 or above. */
  high: boolean;
}

const SIMPLE_ESCAPES: Record<number, number> = { 110: 10, 116: 9, 114: 13, 118: 11, 102: 12, 97: 7, 98: 8, 101: 27, 34: 34, 92: 92, 39: 39, 63: 63 };

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Decodes the strace-quoted string whose opening quote is at `start`: C escapes, `\ooo` octal and
 * `\xHH` hex (as -x/-xx print them). Throws StraceSyntaxError (cut) when the closing quote is missing.
 */
export function readQuoted(s: string, start: number): Quoted {
  let pos = start + 1;
  const close = s.indexOf('"', pos);
  const bs = s.indexOf('\\', pos);
  if (close < 0) throw new StraceSyntaxError('unterminated string', start, true);
  if (bs < 0 || bs > close) {
    const bytes = s.slice(pos, close);
    return { bytes, end: close + 1, high: hasHigh(bytes) };
  }
  let out = '';
  let seg = pos;
  let high = false;
  const n = s.length;
  while (pos < n) {
    const c = s.charCodeAt(pos);
    if (c === 34) {
      out += s.slice(seg, pos);
      if (!high) high = hasHigh(out);
      return { bytes: out, end: pos + 1, high };
    }
    if (c !== 92) {
      pos++;
      continue;
    }
    out += s.slice(seg, pos);
    if (pos + 1 >= n) break;
    const e = s.charCodeAt(pos + 1);
    if (e === 120) {
      const h1 = hexVal(s.charCodeAt(pos + 2));
      const h2 = hexVal(s.charCodeAt(pos + 3));
      if (h1 < 0) throw new StraceSyntaxError('bad \\x escape', pos, pos + 2 >= n);
      if (h2 < 0) {
        out += String.fromCharCode(h1);
        pos += 3;
      } else {
        const b = h1 * 16 + h2;
        if (b >= 128) high = true;
        out += String.fromCharCode(b);
        pos += 4;
      }
    } else if (e >= 48 && e <= 55) {
      let v = e - 48;
      let k = pos + 2;
      for (let i = 0; i < 2 && k < n; i++, k++) {
        const d = s.charCodeAt(k);
        if (d < 48 || d > 55) break;
        v = v * 8 + (d - 48);
      }
      v &= 255;
      if (v >= 128) high = true;
      out += String.fromCharCode(v);
      pos = k;
    } else {
      const m = SIMPLE_ESCAPES[e];
      out += m === undefined ? s[pos + 1] : String.fromCharCode(m);
      pos += 2;
    }
    seg = pos;
  }
  throw new StraceSyntaxError('unterminated string', start, true);
}

function hasHigh(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The decoded bytes as a JS string when they are ASCII or valid UTF-8, else as raw bytes. */
export function bytesToValue(q: Quoted): string | Uint8Array {
  if (!q.high) return q.bytes;
  const b = Buffer.from(q.bytes, 'latin1');
  try {
    return utf8.decode(b);
  } catch {
    return new Uint8Array(b);
  }
}

/** Decodes the escapes of a `-y` path annotation (text between `<` and `>`). */
export function decodePath(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const q = readQuoted(`"${s.replace(/"/g, '\\"')}"`, 0);
  const v = bytesToValue(q);
  return typeof v === 'string' ? v : Buffer.from(v).toString('latin1');
}
