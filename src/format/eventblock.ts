import type { CallBuffer, CallEvent, NewEvent } from '../model/index.js';
import { packArgsInto } from './argcodec.js';
import { Bytes, closeLength, openLength, shift, u53Size, varintSize } from './bytes.js';
import { isStorableTime, writeOtherEvent } from './encode.js';

/**
 * One chunk's block of length-delimited events, as schema/trace.proto lays them out. Calls, nearly
 * every event of a trace, are encoded here field by field, with the same bytes protobufjs's generated
 * encoder writes for them (checked by test/format/eventblock.test.ts) at a fraction of the cost: no
 * intermediate object and no list of pending writes. The other kinds go through writeOtherEvent.
 */
export class EventBlock {
  private out = new Bytes();
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
      writeOtherEvent(this.out, ev);
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
   * the block gives up (it writes on into `spare`, or a new one), so the caller may keep or transfer it.
   */
  take(spare?: Buffer<ArrayBuffer>): Uint8Array {
    const b = this.out.buf.subarray(0, this.out.pos);
    // As large as the last one (a chunk's worth), but not kept huge after one giant event. A buffer
    // given back by whoever took an earlier block is used again when it is that large: on a VM, the
    // first touch of each page of a fresh one costs more than the encoding that fills it.
    const size = Math.min(this.out.buf.length, 4 << 20);
    this.out.buf = spare && spare.length >= size ? spare : Buffer.allocUnsafe(size);
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
    w.i64(b.fullLength);
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
