import type { EnvVar, Int64, NewEvent, TraceHeader } from '../model/index.js';
import { encodeArg } from './argcodec.js';
import { Bytes, closeLength, openLength } from './bytes.js';
import type { StreamDigest } from './writer.js';

// What a TraceWriter writes besides calls (EventBlock's): the header, the footer and the rarer
// events, encoded field by field with the bytes protobufjs's generated encoders write for the same
// values (checked by test/format/encode.test.ts), so that writing a trace loads neither protobufjs
// nor schema/trace.proto, some 15 ms of every recording's start-up. As those encoders do, a field
// is written when set and not its default ("", 0, false, empty), except that a 64-bit field given
// as a bigint is written even when zero (ChunkEntry's times rely on it: the reader takes a time
// that is present, 0 included, as the chunk having times). Field numbers: schema/trace.proto.

/** Largest time or duration, in ns either way, that a trace stores (about 146 years); larger or non-finite values are not stored. */
export const MAX_TIME_NS = 2 ** 62;

/** True for a time or duration the file can hold. */
export function isStorableTime(t: number | undefined): t is number {
  return t !== undefined && Number.isFinite(t) && Math.abs(t) <= MAX_TIME_NS;
}

/** An event of any kind but a call. */
export type OtherEvent = Exclude<NewEvent, { kind: 'call' }>;

/** A footer's chunk entry, as the writer keeps it (times absent when the chunk has none). */
export interface ChunkEntryWire {
  firstSeq: number;
  count: number;
  offset: number;
  firstTimeNs?: bigint;
  maxTimeNs?: bigint;
  storedLength: number;
  digests: StreamDigest[];
}

/** The footer's fields. */
export interface FooterWire {
  chunks: ChunkEntryWire[];
  eventCount: number;
  droppedEvents: number;
  unknownMessages: number;
  digestProfile: string;
  endNotes: Record<string, string>;
  endTimeNs: number;
}

function key(w: Bytes, field: number, wire: number): void {
  w.u32((field << 3) | wire);
}

function str(w: Bytes, field: number, s: string | undefined): void {
  if (s === undefined || s === null || s === '') return;
  key(w, field, 2);
  w.str(s);
}

function strs(w: Bytes, field: number, list: readonly string[] | undefined): void {
  if (!list) return;
  for (const s of list) {
    key(w, field, 2);
    w.str(s);
  }
}

function int32(w: Bytes, field: number, v: number | undefined): void {
  if (!v) return;
  key(w, field, 0);
  w.i32(v);
}

function uint32(w: Bytes, field: number, v: number | undefined): void {
  if (!v) return;
  key(w, field, 0);
  w.u32(v >>> 0);
}

function bool(w: Bytes, field: number, v: boolean | undefined): void {
  if (!v) return;
  key(w, field, 0);
  w.u32(1);
}

/** int64 or uint64: written when not the number 0 (a bigint is written even when zero). */
function int64(w: Bytes, field: number, v: Int64 | undefined): void {
  if (v === undefined || v === null || v === 0) return;
  key(w, field, 0);
  w.i64(v);
}

/** sint64, under the same rule as int64. */
function sint64(w: Bytes, field: number, v: Int64 | undefined): void {
  if (v === undefined || v === null || v === 0) return;
  key(w, field, 0);
  w.s64(v);
}

function bytes(w: Bytes, field: number, d: Uint8Array | undefined): void {
  if (!d || !d.length) return;
  key(w, field, 2);
  w.bytes(d);
}

/** A map<string, string>: one entry message per key, its key and value both always written. */
function map(w: Bytes, field: number, m: Record<string, string> | undefined): void {
  if (!m) return;
  for (const k of Object.keys(m))
    message(w, field, () => {
      key(w, 1, 2);
      w.str(k);
      key(w, 2, 2);
      w.str(m[k]!);
    });
}

/** A message field: its bytes, written by `body`, after its tag and length. */
function message(w: Bytes, field: number, body: () => void): void {
  key(w, field, 2);
  const at = openLength(w);
  body();
  closeLength(w, at);
}

function env(w: Bytes, field: number, list: readonly EnvVar[]): void {
  for (const e of list)
    message(w, field, () => {
      str(w, 1, e.name);
      str(w, 2, e.value);
      bool(w, 3, e.valueRemoved);
    });
}

/** A Header message. */
export function encodeHeader(h: TraceHeader): Buffer {
  const w = new Bytes();
  uint32(w, 1, h.formatVersion);
  str(w, 2, h.backend);
  strs(w, 3, h.argv);
  str(w, 4, h.cwd);
  env(w, 5, h.env ?? []);
  str(w, 6, h.hostKernel);
  str(w, 7, h.runtimeName);
  str(w, 8, h.runtimeVersion);
  int64(w, 9, h.startTimeNs);
  map(w, 10, h.captureOptions);
  strs(w, 11, h.notes);
  str(w, 12, h.hostname);
  strs(w, 13, h.scrubbed);
  str(w, 14, h.writer);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** A Footer message. */
export function encodeFooter(f: FooterWire): Buffer {
  const w = new Bytes();
  for (const c of f.chunks)
    message(w, 1, () => {
      int64(w, 1, c.firstSeq);
      uint32(w, 2, c.count);
      int64(w, 3, c.offset);
      sint64(w, 4, c.firstTimeNs);
      sint64(w, 5, c.maxTimeNs);
      uint32(w, 6, c.storedLength);
      for (const d of c.digests)
        message(w, 7, () => {
          str(w, 1, d.stream);
          int64(w, 2, d.count);
          bytes(w, 3, d.digest);
        });
    });
  int64(w, 2, f.eventCount);
  int64(w, 3, f.droppedEvents);
  int64(w, 4, f.unknownMessages);
  str(w, 5, f.digestProfile);
  map(w, 6, f.endNotes);
  int64(w, 7, f.endTimeNs);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/**
 * Writes one event that is not a call, length-delimited (calls, the bulk of a trace, are written by
 * EventBlock). Its seq is not stored: it is the chunk's first seq plus the event's position.
 */
export function writeOtherEvent(w: Bytes, ev: OtherEvent): void {
  const at = openLength(w);
  int32(w, 2, ev.pid);
  int32(w, 3, ev.tid);
  if (isStorableTime(ev.timeNs)) {
    key(w, 4, 0);
    w.s64(Math.trunc(ev.timeNs));
  }
  switch (ev.kind) {
    case 'start':
      message(w, 11, () => {
        int32(w, 1, ev.parentPid);
        bool(w, 2, ev.isThread);
        int64(w, 3, ev.cloneFlags);
        bool(w, 4, ev.isRoot);
      });
      break;
    case 'exec':
      message(w, 12, () => {
        str(w, 1, ev.path);
        strs(w, 2, ev.argv);
        env(w, 3, ev.env);
        int32(w, 4, ev.oldPid);
      });
      break;
    case 'signal':
      message(w, 13, () => {
        int32(w, 1, ev.signo);
        str(w, 2, ev.name);
        if (ev.info) bytes(w, 3, encodeArg(ev.info));
        strs(w, 4, ev.stack);
      });
      break;
    case 'exit':
      message(w, 14, () => {
        int32(w, 1, ev.status);
        int32(w, 2, ev.signal);
        bool(w, 3, ev.coreDumped);
        bool(w, 4, ev.threadOnly);
        strs(w, 5, ev.stack);
      });
      break;
    case 'unparsed':
      message(w, 15, () => {
        str(w, 1, ev.source);
        int64(w, 2, ev.line);
        str(w, 3, ev.text);
        str(w, 4, ev.reason);
      });
      break;
  }
  closeLength(w, at);
}
