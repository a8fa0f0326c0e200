import protobuf from './protobuf.js';
import type { CallBuffer, CallEvent, Int64, NewEvent } from '../model/index.js';
import { packArgsInto } from './argcodec.js';
import { isStorableTime, writeEvent } from './eventcodec.js';

const LongBits = (protobuf.util as unknown as { LongBits: { from(v: unknown): { lo: number; hi: number } } }).LongBits;

/** A growable byte buffer with the protobuf scalar encodings the event block needs. */
class Bytes {
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

  /** uint64 of a non-negative safe integer. */
  u53(v: number): void {
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
    const b = LongBits.from(v);
    halfLo = b.lo >>> 0;
    halfHi = b.hi >>> 0;
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
function shift(w: Bytes, from: number, by: number): void {
  if (by > 0) w.ensure(by);
  w.buf.copyWithin(from + by, from, w.pos);
  w.pos += by;
}

/**
 * Starts a length-delimited field's bytes after one byte left for their length (most such fields are
 * shorter than 128 bytes); returns where they start, for closeLength.
 */
function openLength(w: Bytes): number {
  w.ensure(1);
  w.pos += 1;
  return w.pos;
}

/** Writes the length of the bytes from `at` in the byte before them, moving them when it takes more. */
function closeLength(w: Bytes, at: number): void {
  const n = w.pos - at;
  if (n > 127) shift(w, at, varintSize(n) - 1);
  const end = w.pos;
  w.pos = at - 1;
  w.u32(n);
  w.pos = end;
}

function varintSize(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

/**
 * One chunk's block of length-delimited events, as schema/trace.proto lays them out. Calls, nearly
 * every event of a trace, are encoded here field by field, with the same bytes protobufjs's generated
 * encoder writes for them (checked by test/format/eventblock.test.ts) at a fraction of the cost: no
 * intermediate object and no list of pending writes. The other kinds go through writeEvent.
 */
export class EventBlock {
  private out = new Bytes();
  private other = protobuf.Writer.create();
  /** Bytes the previous call event's length and its call's length took: the guesses for the next. */
  private lenGuess = 2;
  private callLenGuess = 2;

  /** Bytes in the block so far. */
  get length(): number {
    return this.out.pos;
  }

  /** Appends one event. */
  add(ev: NewEvent): void {
    if (ev.kind !== 'call') {
      writeEvent(ev, this.other);
      this.out.raw(this.other.finish());
      this.other = protobuf.Writer.create();
      return;
    }
    // Event: pid (2), tid (3), time_ns (4), call (10); the seq (1) is implicit. The call is written in
    // place after its head. The two lengths before it are given as many bytes as the previous event's
    // took (a trace's calls tend to be alike), and the bytes are moved when a length needs fewer or more.
    const out = this.out;
    out.ensure(48);
    const start = out.pos;
    const lenGuess = this.lenGuess;
    out.pos = start + lenGuess;
    if (ev.pid !== 0) {
      out.buf[out.pos++] = (2 << 3) | 0;
      out.i32(ev.pid);
    }
    if (ev.tid !== 0) {
      out.buf[out.pos++] = (3 << 3) | 0;
      out.i32(ev.tid);
    }
    if (isStorableTime(ev.timeNs)) {
      out.buf[out.pos++] = (4 << 3) | 0;
      out.s64(Math.trunc(ev.timeNs));
    }
    out.buf[out.pos++] = (10 << 3) | 2;
    const callLenAt = out.pos;
    const callGuess = this.callLenGuess;
    out.pos = callLenAt + callGuess;
    writeCall(out, ev);
    const callLen = out.pos - callLenAt - callGuess;
    const callLenSize = varintSize(callLen);
    if (callLenSize !== callGuess) shift(out, callLenAt + callGuess, callLenSize - callGuess);
    this.callLenGuess = callLenSize;
    out.pos = callLenAt;
    out.u32(callLen);
    out.pos += callLen;
    const total = out.pos - start - lenGuess;
    const lenSize = varintSize(total);
    if (lenSize !== lenGuess) shift(out, start + lenGuess, lenSize - lenGuess);
    this.lenGuess = lenSize;
    const end = out.pos;
    out.pos = start;
    out.u32(total);
    out.pos = end;
  }

  /**
   * The block's bytes, and the block emptied. The bytes are a view of the block's own buffer, which
   * the block gives up (it writes on into a new one), so the caller may keep or transfer it.
   */
  take(): Uint8Array {
    const b = this.out.buf.subarray(0, this.out.pos);
    // As large as the last one (a chunk's worth), but not kept huge after one giant event.
    this.out.buf = Buffer.allocUnsafe(Math.min(this.out.buf.length, 4 << 20));
    this.out.pos = 0;
    return b;
  }
}

/**
 * A Call message's fields, in field order, only those the generated encoder would write: fields with
 * presence (sysno, duration_ns) when set, the others when not their default (0, "", empty).
 */
function writeCall(w: Bytes, c: Omit<CallEvent, 'seq'>): void {
  if (c.name !== '') {
    w.ensure(1);
    w.buf[w.pos++] = (1 << 3) | 2;
    w.str(c.name);
  }
  if (c.sysno >= 0) {
    w.u32((2 << 3) | 0);
    w.s32(c.sysno);
  }
  if (c.rawArgs.length) {
    // Packed repeated sint64.
    w.u32((3 << 3) | 2);
    const at = openLength(w);
    for (const a of c.rawArgs) w.s64(a);
    closeLength(w, at);
  }
  if (c.args.length) {
    w.u32((4 << 3) | 2);
    const at = openLength(w);
    packArgsInto(c.args, w);
    closeLength(w, at);
  }
  if (c.retval !== 0) {
    w.u32((5 << 3) | 0);
    w.s64(c.retval);
  }
  if (c.errno) {
    w.u32((6 << 3) | 0);
    w.i32(c.errno);
  }
  if (isStorableTime(c.durationNs)) {
    w.u32((7 << 3) | 0);
    w.s64(Math.trunc(c.durationNs));
  }
  if (c.flags) {
    w.u32((9 << 3) | 0);
    w.u32(c.flags >>> 0);
  }
  if (c.retAnnotation) {
    w.u32((10 << 3) | 2);
    w.str(c.retAnnotation);
  }
  for (const b of c.buffers) writeBuffer(w, b);
  if (c.arch) {
    w.u32((12 << 3) | 2);
    w.str(c.arch);
  }
  if (c.stack) {
    for (const frame of c.stack) {
      w.u32((13 << 3) | 2);
      w.str(frame);
    }
  }
}

/** One Buffer message (field 11 of Call), its size worked out first so that it is written once. */
function writeBuffer(w: Bytes, b: CallBuffer): void {
  // Present whenever it is not -1 (the argument itself), 0 included.
  const element = b.element;
  const digest = b.digest?.length ? b.digest : undefined;
  let size = 0;
  if (b.argIndex !== 0) size += 1 + varintSize(b.argIndex >>> 0);
  if (b.out) size += 2;
  if (b.data.length) size += 1 + varintSize(b.data.length) + b.data.length;
  if (b.fullLength) size += 1 + u53Size(b.fullLength);
  if (b.truncated) size += 2;
  if (digest) size += 1 + varintSize(digest.length) + digest.length;
  if (element !== -1) size += 1 + varintSize(((element << 1) ^ (element >> 31)) >>> 0);
  w.u32((11 << 3) | 2);
  w.u32(size);
  w.ensure(size);
  if (b.argIndex !== 0) {
    w.buf[w.pos++] = (1 << 3) | 0;
    w.u32(b.argIndex >>> 0);
  }
  if (b.out) {
    w.buf[w.pos++] = (2 << 3) | 0;
    w.buf[w.pos++] = 1;
  }
  if (b.data.length) {
    w.buf[w.pos++] = (3 << 3) | 2;
    w.bytes(b.data);
  }
  if (b.fullLength) {
    w.u32((4 << 3) | 0);
    w.u53(b.fullLength);
  }
  if (b.truncated) {
    w.buf[w.pos++] = (5 << 3) | 0;
    w.buf[w.pos++] = 1;
  }
  if (digest) {
    w.u32((6 << 3) | 2);
    w.bytes(digest);
  }
  if (element !== -1) {
    w.u32((7 << 3) | 0);
    w.s32(element);
  }
}

function u53Size(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
