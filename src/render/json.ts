import type { TraceEvent } from '../model/index.js';
import { errnoName } from '../model/index.js';

/** JSON.stringify replacer used for every JSON output: bigints as decimal strings, bytes as hex strings. */
export function jsonReplacer(this: unknown, k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  const raw = (this as Record<string, unknown>)[k];
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  return v;
}

/** A plain object for one event, as `dump --json` prints it (one per line). */
export function eventToJson(ev: TraceEvent): Record<string, unknown> {
  if (ev.kind !== 'call') return { ...ev };
  const o: Record<string, unknown> = {
    seq: ev.seq,
    kind: ev.kind,
    pid: ev.pid,
    tid: ev.tid,
    timeNs: ev.timeNs,
    name: ev.name,
    sysno: ev.sysno,
    args: ev.args,
    retval: ev.retval,
    errno: ev.errno,
  };
  if (ev.errno) o.errnoName = errnoName(ev.errno);
  if (ev.rawArgs.length) o.rawArgs = ev.rawArgs;
  if (ev.durationNs !== undefined) o.durationNs = ev.durationNs;
  if (ev.flags) o.flags = ev.flags;
  if (ev.retAnnotation) o.retAnnotation = ev.retAnnotation;
  if (ev.buffers.length) o.buffers = ev.buffers;
  if (ev.arch) o.arch = ev.arch;
  if (ev.stack?.length) o.stack = ev.stack;
  return o;
}

/** One event as a JSON line (no trailing newline). */
export function eventJsonLine(ev: TraceEvent): string {
  return JSON.stringify(eventToJson(ev), jsonReplacer);
}
