import type { ArgValue, Int64 } from '../model/index.js';
import { ArgDecodeError, readArg, readArgList, TAG as T } from './argdecode.js';

// Arguments are stored as MessagePack (docs/FORMAT.md): each value is a number, string or bytes, or
// an array [tag, ...] for the other kinds. This writer produces that form straight from the argument
// tree, with the encodings msgpackr chooses for it (smallest integer form, fixstr/str8/16/32 by UTF-8
// length, bin8/16/32, float64 for non-integers; checked by test/format/argcodec.test.ts), without
// building the intermediate arrays: it is on the path of every recorded and imported call.

let buf = Buffer.allocUnsafe(1 << 16);
let pos = 0;

function room(n: number): void {
  if (pos + n <= buf.length) return;
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/**
 * The head of a sized value: `fix | n` below `fixLimit` (0 for none), else the 8-, 16- or 32-bit form
 * (tag8 0 for none). The caller has made room for 5 bytes.
 */
function head(n: number, fix: number, fixLimit: number, tag8: number, tag16: number): void {
  if (n < fixLimit) buf[pos++] = fix | n;
  else if (tag8 && n < 0x100) {
    buf[pos++] = tag8;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = tag16;
    buf[pos++] = n >> 8;
    buf[pos++] = n & 0xff;
  } else {
    buf[pos++] = tag16 + 1;
    buf.writeUInt32BE(n, pos);
    pos += 4;
  }
}

function arrayHead(n: number): void {
  room(5);
  head(n, 0x90, 0x10, 0, 0xdc);
}

function num(v: Int64): void {
  room(9);
  if (typeof v === 'bigint') {
    if (v < 0x8000000000000000n && v >= -0x8000000000000000n) {
      buf[pos++] = 0xd3;
      buf.writeBigInt64BE(v, pos);
    } else if (v < 0x10000000000000000n && v > 0) {
      buf[pos++] = 0xcf;
      buf.writeBigUInt64BE(v, pos);
    } else throw new RangeError(`integer ${v} does not fit 64 bits`);
    pos += 8;
  } else if (v >>> 0 === v) {
    if (v < 0x80) buf[pos++] = v;
    else if (v < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = v;
    } else if (v < 0x10000) {
      buf[pos++] = 0xcd;
      buf[pos++] = v >> 8;
      buf[pos++] = v & 0xff;
    } else {
      buf[pos++] = 0xce;
      buf.writeUInt32BE(v, pos);
      pos += 4;
    }
  } else if (v >> 0 === v) {
    if (v >= -0x20) buf[pos++] = 0x100 + v;
    else if (v >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = v + 0x100;
    } else if (v >= -0x8000) {
      buf[pos++] = 0xd1;
      buf.writeInt16BE(v, pos);
      pos += 2;
    } else {
      buf[pos++] = 0xd2;
      buf.writeInt32BE(v, pos);
      pos += 4;
    }
  } else {
    buf[pos++] = 0xcb;
    buf.writeDoubleBE(v, pos);
    pos += 8;
  }
}

function str(s: string): void {
  const n = s.length;
  if (n < 0x20) {
    // Short: ASCII bytes straight in after a fixstr head, or the UTF-8 writer when not ASCII.
    room(1 + 3 * n);
    let p = pos + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        p = -1;
        break;
      }
      buf[p++] = c;
    }
    if (p >= 0) {
      buf[pos] = 0xa0 | n;
      pos = p;
      return;
    }
  }
  const len = Buffer.byteLength(s);
  room(5 + len);
  head(len, 0xa0, 0x20, 0xd9, 0xda);
  pos += buf.write(s, pos, 'utf8');
}

function bin(b: Uint8Array): void {
  const n = b.length;
  room(5 + n);
  head(n, 0, 0, 0xc4, 0xc5);
  buf.set(b, pos);
  pos += n;
}

function strOrBytes(v: string | Uint8Array): void {
  if (typeof v === 'string') str(v);
  else bin(v);
}

/** [tag, ...] with `n` items after the tag. */
function tagged(tag: number, n: number): void {
  arrayHead(n + 1);
  buf[pos++] = tag;
}

function value(a: ArgValue): void {
  switch (a.k) {
    case 'int':
      if (a.base === 16 || a.base === 8) tagged(a.base === 16 ? T.hex : T.oct, 1);
      num(a.v);
      return;
    case 'str':
      if (a.trunc) tagged(T.strTrunc, 1);
      strOrBytes(a.v);
      return;
    case 'flags':
      tagged(T.flags, a.v.length);
      for (const f of a.v) str(f);
      return;
    case 'struct':
      tagged(a.trunc ? T.structTrunc : T.struct, 2 * a.fields.length);
      for (const [n, v] of a.fields) {
        str(n);
        value(v);
      }
      return;
    case 'array':
      tagged(a.trunc ? T.arrayTrunc : T.array, a.items.length);
      for (const it of a.items) value(it);
      return;
    case 'fd':
      tagged(T.fd, a.path === undefined ? 1 : 2);
      num(a.fd);
      if (a.path !== undefined) str(a.path);
      return;
    case 'sym':
      tagged(T.sym, 1);
      str(a.v);
      return;
    case 'fn':
      tagged(T.fn, 1 + a.args.length);
      str(a.name);
      for (const x of a.args) value(x);
      return;
    case 'buf':
      tagged(T.buf, 1);
      num(a.i);
      return;
    case 'more':
      tagged(T.more, 0);
      return;
    case 'raw':
      tagged(T.raw, 1);
      str(a.v);
      return;
    case 'comment':
      tagged(T.comment, a.of ? 2 : 1);
      str(a.v);
      if (a.of) value(a.of);
      return;
    case 'not':
      tagged(T.not, 1);
      value(a.v);
      return;
    case 'op':
      tagged(T.op, 3);
      str(a.op);
      value(a.l);
      value(a.r);
      return;
  }
}

export { ArgDecodeError };

/**
 * Encodes a decoded argument list as MessagePack into a scratch buffer and returns a view of it,
 * valid until the next call (for writers that copy it at once); empty list gives empty bytes.
 */
export function packArgs(args: ArgValue[]): Buffer {
  if (args.length === 0) return EMPTY;
  pos = 0;
  arrayHead(args.length);
  for (const a of args) value(a);
  return buf.subarray(0, pos);
}

/** A growable output: bytes go to `buf` from `pos`, and `pos` ends after them. */
export interface ByteSink {
  buf: Buffer<ArrayBuffer>;
  pos: number;
}

/**
 * Encodes a non-empty argument list as MessagePack straight into `sink` (which may be given a larger
 * buffer), for a writer that would otherwise copy packArgs's bytes.
 */
export function packArgsInto(args: ArgValue[], sink: ByteSink): void {
  const scratch = buf;
  buf = sink.buf;
  pos = sink.pos;
  try {
    arrayHead(args.length);
    for (const a of args) value(a);
    sink.buf = buf;
    sink.pos = pos;
  } finally {
    buf = scratch;
  }
}

/** Encodes a decoded argument list as MessagePack (the `args` bytes of a Call); empty list gives empty bytes. */
export function encodeArgs(args: ArgValue[]): Uint8Array {
  return Buffer.from(packArgs(args));
}

/** Encodes one argument value (signal info) as MessagePack. */
export function encodeArg(arg: ArgValue): Uint8Array {
  pos = 0;
  value(arg);
  return Buffer.from(buf.subarray(0, pos));
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

const EMPTY = Buffer.alloc(0);
