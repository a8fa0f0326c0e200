import { Packr } from 'msgpackr';
import type { ArgValue } from '../model/index.js';

const packr = new Packr({ useRecords: false, int64AsType: 'auto' as 'bigint', mapsAsObjects: true, variableMapSize: true });

const T = {
  hex: 1,
  oct: 2,
  strTrunc: 3,
  flags: 4,
  struct: 5,
  structTrunc: 6,
  array: 7,
  arrayTrunc: 8,
  fd: 9,
  sym: 10,
  fn: 11,
  buf: 12,
  more: 13,
  raw: 14,
  comment: 15,
  not: 16,
  op: 17,
} as const;

type Wire = number | bigint | string | Uint8Array | Wire[];

function toWire(a: ArgValue): Wire {
  switch (a.k) {
    case 'int':
      return a.base === 16 ? [T.hex, a.v] : a.base === 8 ? [T.oct, a.v] : a.v;
    case 'str':
      return a.trunc ? [T.strTrunc, a.v] : a.v;
    case 'flags':
      return [T.flags, ...a.v];
    case 'struct': {
      const out: Wire[] = [a.trunc ? T.structTrunc : T.struct];
      for (const [n, v] of a.fields) out.push(n, toWire(v));
      return out;
    }
    case 'array':
      return [a.trunc ? T.arrayTrunc : T.array, ...a.items.map(toWire)];
    case 'fd':
      return a.path === undefined ? [T.fd, a.fd] : [T.fd, a.fd, a.path];
    case 'sym':
      return [T.sym, a.v];
    case 'fn':
      return [T.fn, a.name, ...a.args.map(toWire)];
    case 'buf':
      return [T.buf, a.i];
    case 'more':
      return [T.more];
    case 'raw':
      return [T.raw, a.v];
    case 'comment':
      return a.of ? [T.comment, a.v, toWire(a.of)] : [T.comment, a.v];
    case 'not':
      return [T.not, toWire(a.v)];
    case 'op':
      return [T.op, a.op, toWire(a.l), toWire(a.r)];
  }
}

class ArgDecodeError extends Error {}

function fromWire(w: unknown): ArgValue {
  if (typeof w === 'number' || typeof w === 'bigint') return { k: 'int', v: w };
  if (typeof w === 'string' || w instanceof Uint8Array) return { k: 'str', v: w };
  if (!Array.isArray(w) || typeof w[0] !== 'number') throw new ArgDecodeError('bad argument value');
  switch (w[0]) {
    case T.hex:
      return { k: 'int', v: w[1], base: 16 };
    case T.oct:
      return { k: 'int', v: w[1], base: 8 };
    case T.strTrunc:
      return { k: 'str', v: w[1], trunc: true };
    case T.flags:
      return { k: 'flags', v: w.slice(1).map(String) };
    case T.struct:
    case T.structTrunc: {
      const fields: [string, ArgValue][] = [];
      for (let i = 1; i + 1 < w.length; i += 2) fields.push([String(w[i]), fromWire(w[i + 1])]);
      return w[0] === T.structTrunc ? { k: 'struct', fields, trunc: true } : { k: 'struct', fields };
    }
    case T.array:
      return { k: 'array', items: w.slice(1).map(fromWire) };
    case T.arrayTrunc:
      return { k: 'array', items: w.slice(1).map(fromWire), trunc: true };
    case T.fd:
      return w.length > 2 ? { k: 'fd', fd: Number(w[1]), path: String(w[2]) } : { k: 'fd', fd: Number(w[1]) };
    case T.sym:
      return { k: 'sym', v: String(w[1]) };
    case T.fn:
      return { k: 'fn', name: String(w[1]), args: w.slice(2).map(fromWire) };
    case T.buf:
      return { k: 'buf', i: Number(w[1]) };
    case T.more:
      return { k: 'more' };
    case T.raw:
      return { k: 'raw', v: String(w[1]) };
    case T.comment:
      return w.length > 2 ? { k: 'comment', v: String(w[1]), of: fromWire(w[2]) } : { k: 'comment', v: String(w[1]) };
    case T.not:
      return { k: 'not', v: fromWire(w[1]) };
    case T.op:
      return { k: 'op', op: String(w[1]), l: fromWire(w[2]), r: fromWire(w[3]) };
    default:
      throw new ArgDecodeError(`unknown argument tag ${w[0]}`);
  }
}

/** Encodes a decoded argument list as MessagePack (the `args` bytes of a Call); empty list gives empty bytes. */
export function encodeArgs(args: ArgValue[]): Uint8Array {
  if (args.length === 0) return EMPTY;
  return packr.pack(args.map(toWire));
}

/** Encodes one argument value (signal info) as MessagePack. */
export function encodeArg(arg: ArgValue): Uint8Array {
  return packr.pack(toWire(arg));
}

/** Decodes `encodeArgs` output; throws Error('bad argument value ...') on bytes that are not an argument list. */
export function decodeArgs(bytes: Uint8Array): ArgValue[] {
  if (bytes.length === 0) return [];
  const w = packr.unpack(bytes);
  if (!Array.isArray(w)) throw new ArgDecodeError('argument list is not an array');
  return w.map(fromWire);
}

/** Decodes `encodeArg` output. */
export function decodeArg(bytes: Uint8Array): ArgValue {
  return fromWire(packr.unpack(bytes));
}

/** True for errors raised by decodeArgs/decodeArg on malformed bytes. */
export function isArgDecodeError(e: unknown): boolean {
  return e instanceof ArgDecodeError || (e instanceof Error && /msgpack|Unexpected end|Data read|unpack/i.test(e.message));
}

const EMPTY = new Uint8Array(0);
