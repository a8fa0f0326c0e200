import type { CallBuffer, Int64 } from '../model/index.js';

interface Utf8Slicer {
  utf8Slice(start: number, end: number): string;
}

const NAMES = new Map<number, string>();

/** Thrown on bytes that are not a well-formed Event; the reader turns it into a CorruptTraceError. */
export class WireError extends Error {}

/**
 * A cursor over protobuf wire bytes with the few primitives the hot Event/Call decoder needs.
 * 64-bit varints decode to number when safe and bigint otherwise, as everywhere in picotrace.
 */
export class WireCursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  /** Reads a varint that must fit 32 bits unsigned (tags, lengths, uint32 fields) and returns it as a number. */
  u32(): number {
    const b = this.buf;
    let p = this.pos;
    let x = b[p++];
    if (x < 0x80) {
      this.pos = p;
      return x;
    }
    x &= 0x7f;
    let shift = 7;
    for (;;) {
      if (p >= this.end) throw new WireError('truncated varint');
      const c = b[p++];
      if (shift < 28) x |= (c & 0x7f) << shift;
      else if (shift === 28) x = (x >>> 0) + (c & 0x0f) * 0x10000000;
      if (c < 0x80) break;
      shift += 7;
      if (shift > 63) throw new WireError('varint too long');
    }
    this.pos = p;
    return x;
  }

  /** Reads an int32 field (sign-extended 64-bit varint on the wire). */
  i32(): number {
    const v = this.varint64();
    return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0;
  }

  /** Reads a raw 64-bit varint as an unsigned value (number when below 2^53). */
  varint64(): Int64 {
    const b = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let c: number;
    do {
      if (p >= this.end) throw new WireError('truncated varint');
      c = b[p++];
      if (shift < 28) lo |= (c & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (c & 0x0f) << 28;
        hi |= (c & 0x7f) >>> 4;
      } else if (shift < 64) hi |= (c & 0x7f) << (shift - 32);
      shift += 7;
      if (shift > 70) throw new WireError('varint too long');
    } while (c >= 0x80);
    this.pos = p;
    lo >>>= 0;
    hi >>>= 0;
    if (hi < 0x200000) return hi * 4294967296 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Reads a zigzag-encoded sint64. */
  sint64(): Int64 {
    const v = this.varint64();
    if (typeof v === 'number') return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    return (v >> 1n) ^ -(v & 1n);
  }

  /** Reads a zigzag-encoded sint32. */
  sint32(): number {
    const v = this.u32();
    return (v >>> 1) ^ -(v & 1);
  }

  /** Reads a length prefix and returns [start, end) of the bytes it covers. */
  span(): number {
    const len = this.u32();
    const end = this.pos + len;
    if (end > this.end) throw new WireError('length past the end of the message');
    return end;
  }

  /** Reads a length-delimited UTF-8 string. */
  str(): string {
    const end = this.span();
    const s = (this.buf as unknown as Utf8Slicer).utf8Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  /** Reads a length-delimited string that repeats often (call names), returning a shared instance. */
  name(): string {
    const end = this.span();
    const b = this.buf;
    const len = end - this.pos;
    if (len > 32) {
      const s = (b as unknown as Utf8Slicer).utf8Slice(this.pos, end);
      this.pos = end;
      return s;
    }
    let h = 0x811c9dc5 ^ len;
    let high = 0;
    for (let i = this.pos; i < end; i++) {
      h = Math.imul(h ^ b[i], 0x01000193);
      high |= b[i];
    }
    const hit = high & 0x80 ? undefined : NAMES.get(h);
    if (hit !== undefined && hit.length === len) {
      let same = true;
      for (let i = 0; i < len; i++)
        if (hit.charCodeAt(i) !== b[this.pos + i]) {
          same = false;
          break;
        }
      if (same) {
        this.pos = end;
        return hit;
      }
    }
    const s = (b as unknown as Utf8Slicer).utf8Slice(this.pos, end);
    if (!(high & 0x80) && NAMES.size < 4096) NAMES.set(h, s);
    this.pos = end;
    return s;
  }

  /** Reads a length-delimited byte string (a view, not a copy). */
  bytes(): Buffer {
    const end = this.span();
    const v = this.buf.subarray(this.pos, end);
    this.pos = end;
    return v;
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.span();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new WireError('field past the end of the message');
  }
}

/** Decodes a Buffer message occupying [cur.pos, end). */
export function decodeBuffer(cur: WireCursor, end: number): CallBuffer {
  const saveEnd = cur.end;
  cur.end = end;
  const b: CallBuffer = { argIndex: 0, out: false, data: EMPTY, fullLength: 0, truncated: false, element: -1 };
  while (cur.pos < end) {
    const tag = cur.u32();
    switch (tag) {
      case (1 << 3) | 0:
        b.argIndex = cur.u32();
        break;
      case (2 << 3) | 0:
        b.out = cur.u32() !== 0;
        break;
      case (3 << 3) | 2:
        b.data = cur.bytes();
        break;
      case (4 << 3) | 0:
        b.fullLength = Number(cur.varint64());
        break;
      case (5 << 3) | 0:
        b.truncated = cur.u32() !== 0;
        break;
      case (6 << 3) | 2: {
        const d = cur.bytes();
        if (d.length) b.digest = d;
        break;
      }
      case (7 << 3) | 0:
        b.element = cur.sint32();
        break;
      default:
        cur.skip(tag & 7);
    }
  }
  if (cur.pos !== end) throw new WireError('buffer overruns its length');
  cur.end = saveEnd;
  return b;
}

const EMPTY = Buffer.alloc(0);

