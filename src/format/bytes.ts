import type { Int64 } from '../model/index.js';

/** A growable byte buffer with the protobuf scalar encodings of a trace's hand-written encoders (eventblock.ts, encode.ts). */
export class Bytes {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned varint below 2^32. */
  u32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A 64-bit varint from its two 32-bit halves. */
  u64(lo: number, hi: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi) {
      b[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      b[p++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  /** int32: negative values take ten bytes, as the protobuf encoding sign-extends them to 64 bits. */
  i32(v: number): void {
    if (v >= 0) this.u32(v);
    else this.u64(v >>> 0, 0xffffffff);
  }

  /** sint32 (zigzag). */
  s32(v: number): void {
    this.u32(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** sint64 (zigzag) of a safe integer or a bigint. */
  s64(v: Int64): void {
    halves(v);
    const lo = halfLo;
    const hi = halfHi;
    const mask = hi >> 31;
    this.u64((((lo << 1) ^ mask) >>> 0), ((((hi << 1) | (lo >>> 31)) ^ mask) >>> 0));
  }

  /** int64 or uint64 (two's complement) of a safe integer or a bigint. */
  i64(v: Int64): void {
    halves(v);
    this.u64(halfLo, halfHi);
  }

  /** A length-delimited string, UTF-8. */
  str(s: string): void {
    const n = s.length;
    if (n < 128) {
      // ASCII (names, paths) byte by byte after its one-byte length; else the UTF-8 writer. The loop
      // is argcodec's str() again on purpose: one helper for both made an import about 7% slower
      // (its one charCodeAt site then sees every kind of string both callers pass).
      this.ensure(1 + n);
      const b = this.buf;
      let p = this.pos + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) {
          p = -1;
          break;
        }
        b[p++] = c;
      }
      if (p >= 0) {
        b[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    if (n < 43) {
      // At most 3 bytes per UTF-16 unit: the length fits one byte.
      this.ensure(1 + 3 * s.length);
      const len = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = len;
      this.pos += 1 + len;
      return;
    }
    const len = Buffer.byteLength(s);
    this.u32(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Length-delimited bytes. */
  bytes(d: Uint8Array): void {
    this.u32(d.length);
    this.raw(d);
  }

  raw(d: Uint8Array): void {
    this.ensure(d.length);
    this.buf.set(d, this.pos);
    this.pos += d.length;
  }
}

let halfLo = 0;
let halfHi = 0;

/**
 * The two 32-bit halves (two's complement) of a safe integer or bigint, as protobufjs splits them,
 * left in halfLo and halfHi (no array made for every number written).
 */
function halves(v: Int64): void {
  if (typeof v !== 'number') {
    const u = BigInt.asUintN(64, v);
    halfLo = Number(u & 0xffffffffn) >>> 0;
    halfHi = Number(u >> 32n) >>> 0;
    return;
  }
  if (v === 0) {
    halfLo = halfHi = 0;
    return;
  }
  const neg = v < 0;
  if (neg) v = -v;
  let lo = v >>> 0;
  let hi = ((v - lo) / 4294967296) >>> 0;
  if (neg) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 4294967295) {
      lo = 0;
      if (++hi > 4294967295) hi = 0;
    }
  }
  halfLo = lo;
  halfHi = hi;
}

/** Moves the bytes from `from` to the end by `by` (negative: back), and the end with them. */
export function shift(w: Bytes, from: number, by: number): void {
  if (by > 0) w.ensure(by);
  w.buf.copyWithin(from + by, from, w.pos);
  w.pos += by;
}

/**
 * Starts a length-delimited field's bytes after one byte left for their length (most such fields are
 * shorter than 128 bytes); returns where they start, for closeLength.
 */
export function openLength(w: Bytes): number {
  w.ensure(1);
  w.pos += 1;
  return w.pos;
}

/** Writes the length of the bytes from `at` in the byte before them, moving them when it takes more. */
export function closeLength(w: Bytes, at: number): void {
  const n = w.pos - at;
  if (n > 127) shift(w, at, varintSize(n) - 1);
  const end = w.pos;
  w.pos = at - 1;
  w.u32(n);
  w.pos = end;
}

export function varintSize(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

export function u53Size(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
