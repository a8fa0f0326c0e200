import { errnoName, stackOf, type TraceEvent, type TraceHeader } from '../model/index.js';
import { formatArg, formatCallBody, formatResult } from '../render/index.js';
import type { Exporter } from './types.js';

const STRING_LIMIT = 128;

/** Calls whose positive return value is the new task's tid: a flow arrow links them to the child's start. */
const SPAWN_CALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);

/** Trace-event category of calls that succeeded, and of calls that failed (errno set). */
export const CATEGORY = { call: 'syscall', failed: 'syscall,failed', lifecycle: 'process' } as const;

function us(ns: number): number {
  return Math.round(ns) / 1000;
}

function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** `args` with the event's stack (strace -k frames, innermost first) added when it has one. */
function withStack(ev: TraceEvent, args: Record<string, unknown>): Record<string, unknown> {
  const stack = stackOf(ev);
  return stack ? { ...args, stack } : args;
}

/**
 * Chrome trace-event JSON (the format ui.perfetto.dev and chrome://tracing open): one track per thread
 * (pid/tid), each call a complete ("X") slice named after the call with its arguments, result and
 * sequence number in `args` (and its user-space stack, when captured, as `args.stack`); failed calls
 * get category `syscall,failed` and `args.errno`; process and thread names come from exec records as
 * metadata ("M") events; starts, execs, signals and exits are instant ("i") events; a flow arrow
 * ("s"/"f") leads from each clone/fork slice to the child's start. Times are microseconds since the
 * trace start.
 */
export function perfettoExporter(): Exporter {
  let first = true;
  let lastTime = 0;
  let rootName: string | undefined;
  const procName = new Map<number, string>();
  const named = new Map<number, string>();
  const spawnedBy = new Map<number, { pid: number; tid: number; ts: number }>();
  let flowId = 0;
  const piece = (o: Record<string, unknown>): string => {
    const s = `${first ? '' : ',\n'}${JSON.stringify(o)}`;
    first = false;
    return s;
  };
  const nameThread = (pid: number, tid: number, name: string): string => {
    if (named.get(tid) === name) return '';
    named.set(tid, name);
    let s = '';
    if (tid === pid) s += piece({ name: 'process_name', ph: 'M', pid, tid: pid, args: { name } });
    return s + piece({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
  };
  const ensureNamed = (ev: TraceEvent): string => {
    if (named.has(ev.tid)) return '';
    const name = procName.get(ev.pid);
    return name ? nameThread(ev.pid, ev.tid, name) : '';
  };
  const instant = (ev: TraceEvent, name: string, args: Record<string, unknown>): string =>
    piece({ name, cat: CATEGORY.lifecycle, ph: 'i', s: 't', ts: us(lastTime), pid: ev.pid, tid: ev.tid, args: { seq: ev.seq, ...args } });
  return {
    begin(h: TraceHeader) {
      rootName = h.argv.length ? baseName(h.argv[0]) || undefined : undefined;
      return `{"displayTimeUnit":"ns","otherData":${JSON.stringify({ backend: h.backend, command: h.argv.join(' '), startTimeNs: h.startTimeNs.toString(), scrubbed: h.scrubbed.join(', ') })},"traceEvents":[\n`;
    },
    event(ev: TraceEvent) {
      if (ev.timeNs !== undefined) lastTime = ev.timeNs;
      if (rootName !== undefined && !procName.has(ev.pid)) {
        procName.set(ev.pid, rootName);
        rootName = undefined;
      }
      switch (ev.kind) {
        case 'call': {
          const args: Record<string, unknown> = withStack(ev, { seq: ev.seq, call: formatCallBody(ev, STRING_LIMIT), result: formatResult(ev) });
          if (ev.errno) args.errno = errnoName(ev.errno);
          if (ev.durationNs === undefined) args.duration = 'unknown';
          const slice = { name: ev.name, cat: ev.errno ? CATEGORY.failed : CATEGORY.call, ph: 'X', ts: us(lastTime), dur: us(ev.durationNs ?? 0), pid: ev.pid, tid: ev.tid, args };
          if (SPAWN_CALLS.has(ev.name) && !ev.errno && Number(ev.retval) > 0) spawnedBy.set(Number(ev.retval), { pid: ev.pid, tid: ev.tid, ts: slice.ts });
          return ensureNamed(ev) + piece(slice);
        }
        case 'start': {
          const inherited = procName.get(ev.isThread ? ev.pid : ev.parentPid);
          if (inherited) procName.set(ev.pid, procName.get(ev.pid) ?? inherited);
          let out = (inherited ? nameThread(ev.pid, ev.tid, inherited) : '') + instant(ev, ev.isThread ? 'thread start' : 'process start', { parent: ev.parentPid });
          const from = spawnedBy.get(ev.tid);
          if (from) {
            spawnedBy.delete(ev.tid);
            const id = ++flowId;
            out += piece({ name: 'spawn', cat: CATEGORY.lifecycle, ph: 's', id, ts: from.ts, pid: from.pid, tid: from.tid });
            out += piece({ name: 'spawn', cat: CATEGORY.lifecycle, ph: 'f', bp: 'e', id, ts: us(lastTime), pid: ev.pid, tid: ev.tid });
          }
          return out;
        }
        case 'exec': {
          const name = baseName(ev.argv[0] ?? ev.path) || ev.path;
          procName.set(ev.pid, name);
          return nameThread(ev.pid, ev.tid, name) + instant(ev, 'exec', { path: ev.path, argv: ev.argv.join(' ') });
        }
        case 'signal':
          return ensureNamed(ev) + instant(ev, ev.name || `signal ${ev.signo}`, withStack(ev, ev.info ? { info: formatArg(ev.info, STRING_LIMIT) } : {}));
        case 'exit':
          return instant(ev, ev.signal ? 'killed' : 'exit', withStack(ev, ev.signal ? { signal: ev.signal } : { status: ev.status }));
        default:
          return '';
      }
    },
    end: () => '\n]}\n',
  };
}
