import protobuf from 'protobufjs';
import type { ArgValue, CallBuffer, CallEvent, EnvVar, Int64, TraceEvent, NewEvent } from '../model/index.js';
import { decodeArg, decodeArgs, encodeArg, encodeArgs } from './argcodec.js';
import { pb } from './proto.js';

type Obj = Record<string, unknown>;

function envToWire(env: EnvVar[]): Obj[] {
  return env.map((e) => (e.valueRemoved ? { name: e.name, value: e.value, valueRemoved: true } : { name: e.name, value: e.value }));
}

function envFromWire(env: Obj[] | undefined): EnvVar[] {
  if (!env || env.length === 0) return [];
  return env.map((e) => (e.valueRemoved ? { name: String(e.name), value: String(e.value ?? ''), valueRemoved: true } : { name: String(e.name), value: String(e.value ?? '') }));
}

function callToWire(c: Omit<CallEvent, 'seq'>): Obj {
  const o: Obj = { name: c.name };
  if (c.sysno >= 0) o.sysno = c.sysno;
  if (c.rawArgs.length) o.rawArgs = c.rawArgs;
  if (c.args.length) o.args = encodeArgs(c.args);
  if (c.retval !== 0) o.retval = c.retval;
  if (c.errno) o.errno = c.errno;
  if (c.durationNs !== undefined) o.durationNs = c.durationNs;
  if (c.flags) o.flags = c.flags;
  if (c.retAnnotation) o.retAnnotation = c.retAnnotation;
  if (c.buffers.length)
    o.buffers = c.buffers.map((b) => {
      const w: Obj = { argIndex: b.argIndex, data: b.data };
      if (b.out) w.out = true;
      if (b.fullLength) w.fullLength = b.fullLength;
      if (b.truncated) w.truncated = true;
      if (b.digest) w.digest = b.digest;
      if (b.element !== -1) w.element = b.element;
      return w;
    });
  if (c.arch) o.arch = c.arch;
  return o;
}

/** Writes one event, length-delimited, into a protobuf writer (one chunk's block). */
export function writeEvent(ev: NewEvent, seq: number, w: protobuf.Writer): void {
  const o: Obj = { seq, pid: ev.pid, tid: ev.tid };
  if (ev.timeNs !== undefined) o.timeNs = ev.timeNs;
  switch (ev.kind) {
    case 'call':
      o.call = callToWire(ev);
      break;
    case 'start':
      o.start = { parentPid: ev.parentPid, isThread: ev.isThread, cloneFlags: ev.cloneFlags, isRoot: ev.isRoot };
      break;
    case 'exec':
      o.exec = { path: ev.path, argv: ev.argv, env: envToWire(ev.env), oldPid: ev.oldPid };
      break;
    case 'signal':
      o.signal = ev.info ? { signo: ev.signo, name: ev.name, info: encodeArg(ev.info) } : { signo: ev.signo, name: ev.name };
      break;
    case 'exit':
      o.exit = { status: ev.status, signal: ev.signal, coreDumped: ev.coreDumped, threadOnly: ev.threadOnly };
      break;
    case 'unparsed':
      o.unparsed = { source: ev.source, line: ev.line, text: ev.text, reason: ev.reason };
      break;
  }
  pb.Event.encodeDelimited(o as unknown as protobuf.Message, w);
}

const EMPTY_ARGS: ArgValue[] = [];

/** A call read from a trace: decoded arguments are unpacked on first access of `args` (an own, enumerable accessor, so spreads and JSON see them). */
class StoredCall implements CallEvent {
  readonly kind = 'call' as const;
  seq: number;
  pid: number;
  tid: number;
  timeNs?: number;
  name: string;
  sysno: number;
  rawArgs: Int64[];
  retval: Int64;
  errno: number;
  durationNs?: number;
  flags: number;
  retAnnotation?: string;
  buffers: CallBuffer[];
  arch?: string;
  declare args: ArgValue[];
  #packed: Uint8Array | undefined;
  #decoded: ArgValue[] | undefined;

  static readonly argsAccessor: PropertyDescriptor = {
    get(this: StoredCall): ArgValue[] {
      if (this.#decoded === undefined) this.#decoded = this.#packed ? decodeArgs(this.#packed) : EMPTY_ARGS;
      return this.#decoded;
    },
    set(this: StoredCall, v: ArgValue[]) {
      this.#decoded = v;
      this.#packed = undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(e: Obj, c: Obj) {
    this.seq = e.seq as number;
    this.pid = e.pid as number;
    this.tid = e.tid as number;
    if (Object.hasOwn(e, 'timeNs')) this.timeNs = Number(e.timeNs);
    this.name = c.name as string;
    this.sysno = Object.hasOwn(c, 'sysno') ? (c.sysno as number) : -1;
    this.rawArgs = c.rawArgs as Int64[];
    Object.defineProperty(this, 'args', StoredCall.argsAccessor);
    this.retval = c.retval as Int64;
    this.errno = c.errno as number;
    if (Object.hasOwn(c, 'durationNs')) this.durationNs = Number(c.durationNs);
    this.flags = c.flags as number;
    if (c.retAnnotation) this.retAnnotation = c.retAnnotation as string;
    const bufs = c.buffers as Obj[];
    this.buffers = bufs.length === 0 ? [] : bufs.map(bufferFromWire);
    if (c.arch) this.arch = c.arch as string;
    const a = c.args as Uint8Array;
    this.#packed = a.length ? a : undefined;
  }
}

function bufferFromWire(b: Obj): CallBuffer {
  const out: CallBuffer = {
    argIndex: b.argIndex as number,
    out: b.out as boolean,
    data: b.data as Uint8Array,
    fullLength: Number(b.fullLength),
    truncated: b.truncated as boolean,
    element: b.element as number,
  };
  if (!Object.hasOwn(b, 'element')) out.element = -1;
  const d = b.digest as Uint8Array;
  if (d && d.length) out.digest = d;
  return out;
}

/** Reads one length-delimited event from a protobuf reader; throws on malformed bytes. */
export function readEvent(r: protobuf.Reader): TraceEvent {
  const e = pb.Event.decodeDelimited(r) as unknown as Obj;
  if (e.call) return new StoredCall(e, e.call as Obj);
  const base = { seq: e.seq as number, pid: e.pid as number, tid: e.tid as number } as { seq: number; pid: number; tid: number; timeNs?: number };
  if (Object.hasOwn(e, 'timeNs')) base.timeNs = Number(e.timeNs);
  if (e.start) {
    const s = e.start as Obj;
    return { ...base, kind: 'start', parentPid: s.parentPid as number, isThread: s.isThread as boolean, cloneFlags: s.cloneFlags as Int64, isRoot: s.isRoot as boolean };
  }
  if (e.exec) {
    const x = e.exec as Obj;
    return { ...base, kind: 'exec', path: x.path as string, argv: x.argv as string[], env: envFromWire(x.env as Obj[]), oldPid: x.oldPid as number };
  }
  if (e.signal) {
    const s = e.signal as Obj;
    const info = s.info as Uint8Array;
    const ev: TraceEvent = { ...base, kind: 'signal', signo: s.signo as number, name: s.name as string };
    if (info && info.length) ev.info = decodeArg(info);
    return ev;
  }
  if (e.exit) {
    const x = e.exit as Obj;
    return { ...base, kind: 'exit', status: x.status as number, signal: x.signal as number, coreDumped: x.coreDumped as boolean, threadOnly: x.threadOnly as boolean };
  }
  if (e.unparsed) {
    const u = e.unparsed as Obj;
    return { ...base, kind: 'unparsed', source: u.source as string, line: Number(u.line), text: u.text as string, reason: u.reason as string };
  }
  throw new Error('event has no body');
}

/** Converts header fields to the wire object for pb.Header. */
export function headerToWire(h: import('../model/index.js').TraceHeader): Obj {
  return { ...h, env: envToWire(h.env), startTimeNs: h.startTimeNs };
}

/** Converts a decoded pb.Header to a TraceHeader. */
export function headerFromWire(o: Obj): import('../model/index.js').TraceHeader {
  return {
    formatVersion: o.formatVersion as number,
    backend: o.backend as string,
    argv: (o.argv as string[]) ?? [],
    cwd: o.cwd as string,
    env: envFromWire(o.env as Obj[]),
    hostKernel: o.hostKernel as string,
    runtimeName: o.runtimeName as string,
    runtimeVersion: o.runtimeVersion as string,
    startTimeNs: BigInt(o.startTimeNs as Int64),
    captureOptions: { ...((o.captureOptions as Record<string, string>) ?? {}) },
    notes: (o.notes as string[]) ?? [],
    hostname: o.hostname as string,
    scrubbed: (o.scrubbed as string[]) ?? [],
    writer: o.writer as string,
  };
}
