import type { EnvVar, Int64, TraceEvent } from '../model/index.js';
import { decodeArg } from './argcodec.js';
import { type WireCursor, WireError } from './fastdecode.js';
import { StoredCall } from './storedcall.js';
import { pb } from './proto.js';

type Obj = Record<string, unknown>;

function envFromWire(env: Obj[] | undefined): EnvVar[] {
  if (!env || env.length === 0) return [];
  return env.map((e) => (e.valueRemoved ? { name: String(e.name), value: String(e.value ?? ''), valueRemoved: true } : { name: String(e.name), value: String(e.value ?? '') }));
}

/**
 * Reads one length-delimited event at the cursor, numbering it `expectSeq`; an event that stores a
 * different seq is malformed. Throws WireError (or a protobufjs error) on malformed bytes.
 */
export function readEvent(cur: WireCursor, expectSeq: number): TraceEvent {
  return readOrCheckEvent(cur, expectSeq, true)!;
}

/**
 * Checks the length-delimited event at the cursor as readEvent would read it, and moves past it,
 * without building a call (other events, which are rare, are decoded). Throws what readEvent throws.
 */
export function checkEvent(cur: WireCursor, expectSeq: number): void {
  readOrCheckEvent(cur, expectSeq, false);
}

function readOrCheckEvent(cur: WireCursor, expectSeq: number, build: boolean): TraceEvent | undefined {
  const end = cur.span();
  const outerEnd = cur.end;
  cur.end = end;
  const seq = expectSeq;
  let pid = 0;
  let tid = 0;
  let timeNs: number | undefined;
  let bodyTag = 0;
  let bodyStart = 0;
  let bodyEnd = 0;
  while (cur.pos < end) {
    const tag = cur.u32();
    switch (tag) {
      case (1 << 3) | 0:
        if (Number(cur.varint64()) !== expectSeq) throw new WireError('event out of sequence');
        break;
      case (2 << 3) | 0:
        pid = cur.i32();
        break;
      case (3 << 3) | 0:
        tid = cur.i32();
        break;
      case (4 << 3) | 0:
        timeNs = Number(cur.sint64());
        break;
      case (10 << 3) | 2: {
        const e = cur.span();
        bodyTag = 10;
        bodyStart = cur.pos;
        bodyEnd = e;
        cur.pos = e;
        break;
      }
      default:
        if (tag >>> 3 >= 11 && tag >>> 3 <= 15 && (tag & 7) === 2) {
          const e = cur.span();
          bodyTag = tag >>> 3;
          bodyStart = cur.pos;
          bodyEnd = e;
          cur.pos = e;
        } else cur.skip(tag & 7);
    }
  }
  if (cur.pos !== end) throw new WireError('event overruns its length');
  cur.end = outerEnd;
  if (bodyTag === 10) {
    const save = cur.pos;
    cur.pos = bodyStart;
    let body: StoredCall | undefined;
    if (build) body = new StoredCall(seq, pid, tid, timeNs, cur, bodyEnd);
    else StoredCall.check(cur, bodyEnd);
    cur.pos = save;
    return body;
  }
  const base: { seq: number; pid: number; tid: number; timeNs?: number } = { seq, pid, tid };
  if (timeNs !== undefined) base.timeNs = timeNs;
  const bytes = cur.buf.subarray(bodyStart, bodyEnd);
  switch (bodyTag) {
    case 11: {
      const s = pb.ProcessStart.decode(bytes) as unknown as Obj;
      return { ...base, kind: 'start', parentPid: s.parentPid as number, isThread: s.isThread as boolean, cloneFlags: s.cloneFlags as Int64, isRoot: s.isRoot as boolean };
    }
    case 12: {
      const x = pb.Exec.decode(bytes) as unknown as Obj;
      return { ...base, kind: 'exec', path: x.path as string, argv: x.argv as string[], env: envFromWire(x.env as Obj[]), oldPid: x.oldPid as number };
    }
    case 13: {
      const s = pb.Signal.decode(bytes) as unknown as Obj;
      const info = s.info as Uint8Array;
      const ev: TraceEvent = { ...base, kind: 'signal', signo: s.signo as number, name: s.name as string };
      if (info && info.length) ev.info = decodeArg(info);
      const stack = s.stack as string[] | undefined;
      if (stack?.length) ev.stack = stack;
      return ev;
    }
    case 14: {
      const x = pb.Exit.decode(bytes) as unknown as Obj;
      const ev: TraceEvent = { ...base, kind: 'exit', status: x.status as number, signal: x.signal as number, coreDumped: x.coreDumped as boolean, threadOnly: x.threadOnly as boolean };
      const stack = x.stack as string[] | undefined;
      if (stack?.length) ev.stack = stack;
      return ev;
    }
    case 15: {
      const u = pb.Unparsed.decode(bytes) as unknown as Obj;
      return { ...base, kind: 'unparsed', source: u.source as string, line: Number(u.line), text: u.text as string, reason: u.reason as string };
    }
    default:
      throw new WireError('event has no body');
  }
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
