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

/** Thrown by decodeArgs/decodeArg on bytes that are not a valid argument list. */
export class ArgDecodeError extends Error {}

function isInt(v: unknown): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

function need<T>(ok: boolean, v: T): T {
  if (!ok) throw new ArgDecodeError('bad argument value');
  return v;
}

function text(v: unknown): string {
  return need(typeof v === 'string', v as string);
}

function fromWire(w: unknown, depth = 0): ArgValue {
  if (depth > MAX_DEPTH) throw new ArgDecodeError('arguments nested too deeply');
  if (isInt(w)) return { k: 'int', v: w };
  if (typeof w === 'string' || w instanceof Uint8Array) return { k: 'str', v: w };
  if (!Array.isArray(w) || typeof w[0] !== 'number') throw new ArgDecodeError('bad argument value');
  const sub = (x: unknown) => fromWire(x, depth + 1);
  switch (w[0]) {
    case T.hex:
      return { k: 'int', v: need(isInt(w[1]), w[1]), base: 16 };
    case T.oct:
      return { k: 'int', v: need(isInt(w[1]), w[1]), base: 8 };
    case T.strTrunc:
      return { k: 'str', v: need(typeof w[1] === 'string' || w[1] instanceof Uint8Array, w[1]), trunc: true };
    case T.flags:
      return { k: 'flags', v: w.slice(1).map(text) };
    case T.struct:
    case T.structTrunc: {
      const fields: [string, ArgValue][] = [];
      for (let i = 1; i + 1 < w.length; i += 2) fields.push([text(w[i]), sub(w[i + 1])]);
      return w[0] === T.structTrunc ? { k: 'struct', fields, trunc: true } : { k: 'struct', fields };
    }
    case T.array:
      return { k: 'array', items: w.slice(1).map(sub) };
    case T.arrayTrunc:
      return { k: 'array', items: w.slice(1).map(sub), trunc: true };
    case T.fd: {
      const fd = need(typeof w[1] === 'number' && Number.isInteger(w[1]), w[1] as number);
      return w.length > 2 ? { k: 'fd', fd, path: text(w[2]) } : { k: 'fd', fd };
    }
    case T.sym:
      return { k: 'sym', v: text(w[1]) };
    case T.fn:
      return { k: 'fn', name: text(w[1]), args: w.slice(2).map(sub) };
    case T.buf:
      return { k: 'buf', i: need(typeof w[1] === 'number' && Number.isInteger(w[1]) && w[1] >= 0, w[1] as number) };
    case T.more:
      return { k: 'more' };
    case T.raw:
      return { k: 'raw', v: text(w[1]) };
    case T.comment:
      return w.length > 2 ? { k: 'comment', v: text(w[1]), of: sub(w[2]) } : { k: 'comment', v: text(w[1]) };
    case T.not:
      return { k: 'not', v: sub(w[1]) };
    case T.op:
      return { k: 'op', op: text(w[1]), l: sub(w[2]), r: sub(w[3]) };
    default:
      throw new ArgDecodeError(`unknown argument tag ${w[0]}`);
  }
}

const MAX_DEPTH = 200;

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
  const w = unpack(bytes);
  if (!Array.isArray(w)) throw new ArgDecodeError('argument list is not an array');
  return w.map((x) => fromWire(x));
}

function unpack(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw new ArgDecodeError(`arguments do not decode: ${(err as Error).message}`);
  }
}

/** Like decodeArgs, but bytes that do not decode give one `raw` value saying so instead of throwing. */
export function decodeArgsLenient(bytes: Uint8Array): ArgValue[] {
  try {
    return decodeArgs(bytes);
  } catch (err) {
    if (err instanceof ArgDecodeError) return [{ k: 'raw', v: '<arguments do not decode>' }];
    throw err;
  }
}

/** Decodes `encodeArg` output. */
export function decodeArg(bytes: Uint8Array): ArgValue {
  return fromWire(unpack(bytes));
}


const EMPTY = new Uint8Array(0);
