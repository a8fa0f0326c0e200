/** Thrown for a malformed Go-quoted string; `offset` is the position in the input text. */
export class GoQuoteError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'GoQuoteError';
  }
}

const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };

/** Returns the index just past the closing quote of the Go-quoted string at text[start], without decoding it. */
export function skipGoQuoted(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) throw new GoQuoteError('unterminated quoted string', start);
    let bs = 0;
    for (let k = q - 1; k > start && text.charCodeAt(k) === 92; k--) bs++;
    if (bs % 2 === 0) return q + 1;
    i = q + 1;
  }
}

let scratch = new Uint8Array(4096);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Reads a Go `%q` string literal starting at text[start] (the opening quote) and returns its bytes and
 * the index just past the closing quote. Literal characters stand for their UTF-8 bytes; \xNN, octal
 * \NNN, \uNNNN and \UNNNNNNNN escapes are decoded.
 */
export function readGoQuoted(text: string, start: number): { bytes: Uint8Array; end: number } {
  if (text[start] !== '"') throw new GoQuoteError('expected a quoted string', start);
  const end = skipGoQuoted(text, start);
  const need = (end - start) * 4;
  if (scratch.length < need) scratch = new Uint8Array(need);
  const out = scratch;
  let n = 0;
  let i = start + 1;
  const last = end - 1;
  while (i < last) {
    const c = text.charCodeAt(i);
    if (c !== 92) {
      if (c < 0x80) out[n++] = c;
      else {
        const cp = text.codePointAt(i)!;
        n += Buffer.from(String.fromCodePoint(cp), 'utf8').copy(out, n);
        if (cp > 0xffff) i++;
      }
      i++;
      continue;
    }
    const e = text[i + 1];
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out[n++] = simple;
      i += 2;
    } else if (e === 'x') {
      const hi = hexValue(text.charCodeAt(i + 2));
      const lo = hexValue(text.charCodeAt(i + 3));
      if (hi < 0 || lo < 0) throw new GoQuoteError(`bad \\x escape "${text.slice(i, i + 4)}"`, i);
      out[n++] = (hi << 4) | lo;
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const h = text.slice(i + 2, i + 2 + len);
      if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) throw new GoQuoteError(`bad \\${e} escape`, i);
      n += Buffer.from(String.fromCodePoint(parseInt(h, 16)), 'utf8').copy(out, n);
      i += 2 + len;
    } else if (e >= '0' && e <= '7') {
      const o = text.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o)) throw new GoQuoteError(`bad octal escape "${text.slice(i, i + 4)}"`, i);
      out[n++] = parseInt(o, 8) & 0xff;
      i += 4;
    } else throw new GoQuoteError(`unknown escape \\${e}`, i);
  }
  return { bytes: out.slice(0, n), end };
}
