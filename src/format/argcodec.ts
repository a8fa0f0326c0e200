import { Packr } from 'msgpackr/pack';
import type { ArgValue } from '../model/index.js';
import { ArgDecodeError, readArg, readArgList, TAG as T } from './argdecode.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });


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

export { ArgDecodeError };

/** Encodes a decoded argument list as MessagePack (the `args` bytes of a Call); empty list gives empty bytes. */
export function encodeArgs(args: ArgValue[]): Uint8Array {
  if (args.length === 0) return EMPTY;
  return packr.pack(args.map(toWire));
}

/** Encodes one argument value (signal info) as MessagePack. */
export function encodeArg(arg: ArgValue): Uint8Array {
  return packr.pack(toWire(arg));
}

/** Decodes `encodeArgs` output; throws ArgDecodeError on bytes that are not an argument list. */
export function decodeArgs(bytes: Uint8Array): ArgValue[] {
  return readArgList(bytes);
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

/** Decodes `encodeArg` output; throws ArgDecodeError. */
export function decodeArg(bytes: Uint8Array): ArgValue {
  return readArg(bytes);
}

const EMPTY = new Uint8Array(0);
