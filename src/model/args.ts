/** A signed 64-bit integer: a number when it is a safe integer, a bigint otherwise. */
export type Int64 = number | bigint;

/**
 * One decoded argument, as a typed tree. Sources (strace text, gVisor frames) produce these;
 * nothing downstream re-parses text.
 */
export type ArgValue =
  | { k: 'int'; v: Int64; base?: 8 | 10 | 16 }
  | { k: 'str'; v: string | Uint8Array; trunc?: boolean }
  | { k: 'flags'; v: string[] }
  | { k: 'struct'; fields: [string, ArgValue][]; trunc?: boolean }
  | { k: 'array'; items: ArgValue[]; trunc?: boolean }
  | { k: 'fd'; fd: number; path?: string }
  | { k: 'sym'; v: string }
  | { k: 'fn'; name: string; args: ArgValue[] }
  | { k: 'buf'; i: number }
  | { k: 'more' }
  | { k: 'raw'; v: string }
  | { k: 'comment'; v: string; of?: ArgValue }
  | { k: 'not'; v: ArgValue }
  | { k: 'op'; op: string; l: ArgValue; r: ArgValue };

/** Shorthand constructors for building argument trees in sources and tests. */
export const A = {
  int: (v: Int64, base?: 8 | 10 | 16): ArgValue => (base && base !== 10 ? { k: 'int', v, base } : { k: 'int', v }),
  str: (v: string | Uint8Array, trunc?: boolean): ArgValue => (trunc ? { k: 'str', v, trunc } : { k: 'str', v }),
  flags: (...v: string[]): ArgValue => ({ k: 'flags', v }),
  struct: (fields: [string, ArgValue][], trunc?: boolean): ArgValue => (trunc ? { k: 'struct', fields, trunc } : { k: 'struct', fields }),
  array: (items: ArgValue[], trunc?: boolean): ArgValue => (trunc ? { k: 'array', items, trunc } : { k: 'array', items }),
  fd: (fd: number, path?: string): ArgValue => (path === undefined ? { k: 'fd', fd } : { k: 'fd', fd, path }),
  sym: (v: string): ArgValue => ({ k: 'sym', v }),
  fn: (name: string, args: ArgValue[]): ArgValue => ({ k: 'fn', name, args }),
  buf: (i: number): ArgValue => ({ k: 'buf', i }),
  more: (): ArgValue => ({ k: 'more' }),
  raw: (v: string): ArgValue => ({ k: 'raw', v }),
  comment: (v: string, of?: ArgValue): ArgValue => (of ? { k: 'comment', v, of } : { k: 'comment', v }),
  not: (v: ArgValue): ArgValue => ({ k: 'not', v }),
  op: (op: string, l: ArgValue, r: ArgValue): ArgValue => ({ k: 'op', op, l, r }),
};

/** The numeric value of an int or fd argument, or undefined for any other kind. */
export function argNumber(a: ArgValue | undefined): Int64 | undefined {
  if (!a) return undefined;
  if (a.k === 'int') return a.v;
  if (a.k === 'fd') return a.fd;
  if (a.k === 'comment' && a.of) return argNumber(a.of);
  return undefined;
}

/** The text of a string argument (bytes decoded as latin1-safe UTF-8), or undefined. */
export function argString(a: ArgValue | undefined): string | undefined {
  if (!a) return undefined;
  if (a.k === 'str') return typeof a.v === 'string' ? a.v : Buffer.from(a.v).toString('utf8');
  return undefined;
}

/** The flag names of a flags argument (a lone symbol counts as one flag), or an empty list. */
export function argFlags(a: ArgValue | undefined): string[] {
  if (!a) return [];
  if (a.k === 'flags') return a.v;
  if (a.k === 'sym') return [a.v];
  return [];
}

/** The field `name` of a struct argument, or undefined. */
export function argField(a: ArgValue | undefined, name: string): ArgValue | undefined {
  if (!a || a.k !== 'struct') return undefined;
  for (const [n, v] of a.fields) if (n === name) return v;
  return undefined;
}
