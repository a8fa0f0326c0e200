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

/**
 * Reads a Go `%q` string literal starting at text[start] (the opening quote) and returns its bytes and
 * the index just past the closing quote. Literal characters stand for their UTF-8 bytes; \xNN, octal
 * \NNN, \uNNNN and \UNNNNNNNN escapes are decoded.
 */
export function readGoQuoted(text: string, start: number): { bytes: Uint8Array; end: number } {
  if (text[start] !== '"') throw new GoQuoteError('expected a quoted string', start);
  const out: number[] = [];
  let i = start + 1;
  let lit = i;
  const flushLiteral = (to: number): void => {
    if (to <= lit) return;
    const s = text.slice(lit, to);
    if (/^[\x00-\x7f]*$/.test(s)) for (let k = 0; k < s.length; k++) out.push(s.charCodeAt(k));
    else for (const b of Buffer.from(s, 'utf8')) out.push(b);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      flushLiteral(i);
      return { bytes: Uint8Array.from(out), end: i + 1 };
    }
    if (c !== '\\') {
      i++;
      continue;
    }
    flushLiteral(i);
    const e = text[i + 1];
    if (e === undefined) break;
    if (SIMPLE[e] !== undefined) {
      out.push(SIMPLE[e]);
      i += 2;
    } else if (e === 'x') {
      const h = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new GoQuoteError(`bad \\x escape "${text.slice(i, i + 4)}"`, i);
      out.push(parseInt(h, 16));
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = text.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new GoQuoteError(`bad \\${e} escape`, i);
      for (const b of Buffer.from(String.fromCodePoint(parseInt(h, 16)), 'utf8')) out.push(b);
      i += 2 + n;
    } else if (e >= '0' && e <= '7') {
      const o = text.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o)) throw new GoQuoteError(`bad octal escape "${text.slice(i, i + 4)}"`, i);
      out.push(parseInt(o, 8) & 0xff);
      i += 4;
    } else throw new GoQuoteError(`unknown escape \\${e}`, i);
    lit = i;
  }
  throw new GoQuoteError('unterminated quoted string', start);
}
