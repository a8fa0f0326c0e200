import { A, type ArgValue, type CallBuffer, CallFlags, type EnvVar, type Int64, type NewEvent, syscallNumber } from '../../model/index.js';
import type { LineParser, LineParserStats } from '../formats.js';
import { argKinds } from './argspec.js';
import { ArgSyntaxError, parseArg, type ParsedArg, splitArgs } from './args.js';
import { GoQuoteError } from './goquote.js';

/** A glog-prefixed line that is not from strace.go (other debug output around the strace lines). */
const GLOG_OTHER = /^[IWEFD]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ (?!strace\.go:)\S+:\d+\] /;
/** An strace.go record: optional glog prefix, [tgid:tid], task name, E or X, syscall name and "(". */
const RECORD = /^(?:[IWEFD](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{1,9})\s+\d+ strace\.go:\d+\] )?\[\s*(\d+):\s*(\d+)\] (.*?) ([EX]) ([a-z_0-9]+)\(/;
const EXIT_TAIL = /^ = (-?\d+) \((?:0x[0-9a-f]+|-0x[0-9a-f]+)\)(?: errno=(\d+) \((.*?)\))? \(([0-9.]+)(ns|µs|us|ms|s|m|h)\)$/;
/** A quick check used for detection: does this line look like a gVisor strace record? */
export const GVISOR_RECORD_START = /(?:strace\.go:\d+\] )?\[\s*\d+:\s*\d+\] .*? [EX] [a-z_0-9]+\(/;

/** Lines split as latin1 (one char per byte) are turned back into the UTF-8 text gVisor wrote; text already decoded is kept. */
function asUtf8(text: string): string {
  if (!/[\x80-\xff]/.test(text) || /[^\x00-\xff]/.test(text)) return text;
  const s = Buffer.from(text, 'latin1').toString('utf8');
  return s.includes('\ufffd') ? text : s;
}

const DURATION_NS: Record<string, number> = { ns: 1, µs: 1e3, us: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
const RESTART_ERRNOS = new Set([512, 513, 514, 516]);
const CLONE_CALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);
const EXEC_CALLS = new Set(['execve', 'execveat']);

interface Entry {
  name: string;
  pid: number;
  lineNo: number;
  timeNs?: number;
  args: ParsedArg[];
}

/** Options of a GvisorLogParser. */
export interface GvisorParserOptions {
  /** Wall-clock ns of the trace start; glog times are made relative to it (and give the year). */
  startTimeNs?: bigint;
  source?: string;
  /** Keep environment values of exec events (names always kept). */
  env?: boolean;
  /** The initial program, when the recorder knows it: emitted as the root's exec event. */
  initial?: { path: string; argv: string[]; env: EnvVar[] };
}

/**
 * Parses gVisor's strace debug log (`runsc --strace --debug`, lines from strace.go, with or without
 * the glog prefix) into trace events: pairs E and X records per thread into calls, decodes
 * Go-quoted buffers, fd annotations and errno=N, and derives process starts from the first record of
 * each thread, execs from successful execve and exits from exit_group/exit. Other glog lines are
 * skipped; malformed records become unparsed events with their line number.
 */
export class GvisorLogParser implements LineParser {
  readonly stats: LineParserStats = { lines: 0, events: 0, unparsed: 0, samples: [] };
  private readonly entries = new Map<number, Entry>();
  private readonly seen = new Set<number>();
  private readonly cloning = new Map<number, boolean>();
  private root: number | undefined;
  private baseNs: bigint | undefined;
  private readonly year: number;
  private secKey = '';
  private secRel = 0;
  /** Whether any strace record was seen. */
  started = false;

  constructor(
    private readonly sink: (ev: NewEvent) => void,
    private readonly opts: GvisorParserOptions = {},
  ) {
    this.baseNs = opts.startTimeNs;
    this.year = new Date(opts.startTimeNs !== undefined ? Number(opts.startTimeNs / 1000000n) : Date.now()).getFullYear();
  }

  private emit(ev: NewEvent): void {
    this.stats.events++;
    this.sink(ev);
  }

  private unparsed(text: string, lineNo: number, source: string, reason: string): void {
    this.stats.unparsed++;
    if (this.stats.samples.length < 5) this.stats.samples.push(`${source}:${lineNo}: ${reason}`);
    this.emit({ kind: 'unparsed', pid: 0, tid: 0, source, line: lineNo, text, reason });
  }

  private time(m: RegExpExecArray): number | undefined {
    if (m[1] === undefined) return undefined;
    const key = m[1] + m[2] + m[3] + m[4] + m[5];
    if (key !== this.secKey) {
      this.secKey = key;
      const ms = new Date(this.year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime();
      const abs = BigInt(ms) * 1000000n;
      this.baseNs ??= abs + BigInt(Number(m[6].padEnd(9, '0')));
      this.secRel = Number(abs - this.baseNs);
    }
    return this.secRel + Number(m[6].padEnd(9, '0'));
  }

  /** Consumes one log line (without its newline). */
  line(text: string, lineNo: number, source = this.opts.source ?? 'gvisor'): void {
    this.stats.lines++;
    const t = asUtf8(text.endsWith('\r') ? text.slice(0, -1) : text);
    if (!t.trim() || GLOG_OTHER.test(t)) return;
    const m = RECORD.exec(t);
    if (!m) {
      if (t.includes('strace.go:') || GVISOR_RECORD_START.test(t)) this.unparsed(t, lineNo, source, 'not a gVisor strace record');
      return;
    }
    try {
      this.record(m, t, lineNo);
    } catch (err) {
      if (err instanceof ArgSyntaxError || err instanceof GoQuoteError) {
        this.unparsed(t, lineNo, source, `${err.message} at column ${err.offset + 1}`);
        return;
      }
      throw err;
    }
  }

  private record(m: RegExpExecArray, t: string, lineNo: number): void {
    const pid = Number(m[7]);
    const tid = Number(m[8]);
    const phase = m[10];
    const name = m[11];
    const timeNs = this.time(m);
    const { args: rawTexts, close } = splitArgs(t, m.index + m[0].length);
    const kinds = argKinds(name);
    const args = rawTexts.map((a, i) => parseArg(a, kinds[i] ?? 'int'));
    this.startThread(pid, tid, timeNs);
    if (phase === 'E') {
      const prev = this.entries.get(tid);
      if (prev) this.finishCall(prev.pid, tid, prev.name, prev, undefined, undefined);
      this.entries.set(tid, { name, pid, lineNo, timeNs, args });
      if (CLONE_CALLS.has(name)) this.cloning.set(pid, rawTexts.some((a) => a.includes('CLONE_THREAD')));
      if (name === 'exit_group' || name === 'exit') {
        this.entries.delete(tid);
        this.finishCall(pid, tid, name, { name, pid, lineNo, timeNs, args }, undefined, undefined);
        const status = Number(BigInt.asUintN(8, BigInt(args[0]?.raw ?? 0)));
        this.emit({ kind: 'exit', pid, tid, timeNs, status, signal: 0, coreDumped: false, threadOnly: name === 'exit' && tid !== pid });
      }
      return;
    }
    if (name === 'exit_group' || name === 'exit') return;
    const tail = EXIT_TAIL.exec(t.slice(close + 1));
    if (!tail) throw new ArgSyntaxError('exit record without "= result (hex) (duration)"', close + 1);
    const entry = this.entries.get(tid);
    this.entries.delete(tid);
    const errno = tail[2] ? Number(tail[2]) : 0;
    const durationNs = Math.round(Number(tail[4]) * DURATION_NS[tail[5]]);
    const retval: Int64 = errno ? -1 : BigInt(tail[1]) <= BigInt(Number.MAX_SAFE_INTEGER) && BigInt(tail[1]) >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(tail[1]) : BigInt(tail[1]);
    const paired = entry && entry.name === name ? entry : undefined;
    if (entry && !paired) this.finishCall(entry.pid, tid, entry.name, entry, undefined, undefined);
    this.finishCall(pid, tid, name, paired, { args, timeNs, retval, errno, durationNs }, paired?.timeNs);
    if (CLONE_CALLS.has(name) && !errno) this.cloning.delete(pid);
  }

  private startThread(pid: number, tid: number, timeNs?: number): void {
    if (this.seen.has(tid)) return;
    this.seen.add(tid);
    this.started = true;
    if (this.root === undefined) {
      this.root = pid;
      this.emit({ kind: 'start', pid, tid, timeNs, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true });
      const init = this.opts.initial;
      if (init) this.emit({ kind: 'exec', pid, tid, timeNs, path: init.path, argv: init.argv, env: init.env, oldPid: pid });
      return;
    }
    const isThread = tid !== pid;
    let parentPid = isThread ? pid : 0;
    if (!isThread) for (const p of this.cloning.keys()) parentPid = p;
    this.emit({ kind: 'start', pid, tid, timeNs, parentPid, isThread, cloneFlags: 0, isRoot: false });
  }

  private finishCall(pid: number, tid: number, name: string, entry: Entry | undefined, exit: { args: ParsedArg[]; timeNs?: number; retval: Int64; errno: number; durationNs: number } | undefined, enterNs: number | undefined): void {
    const eArgs = entry?.args ?? [];
    const xArgs = exit?.args ?? [];
    const n = Math.max(eArgs.length, xArgs.length);
    const args: ArgValue[] = [];
    const rawArgs: Int64[] = [];
    const buffers: CallBuffer[] = [];
    for (let i = 0; i < n; i++) {
      const x = xArgs[i];
      const e = eArgs[i];
      const useEnter = e !== undefined && (!x || (x.value.k === 'raw' && x.value.v === '...') || (e.buffer && !x.buffer));
      const a = useEnter ? e : x;
      if (!a) continue;
      rawArgs.push(a.raw);
      if (a.buffer) {
        buffers.push({ argIndex: i, out: !useEnter, data: a.buffer.data, fullLength: 0, truncated: a.buffer.truncated, element: -1 });
        args.push(A.buf(buffers.length - 1));
      } else args.push(a.value);
    }
    let flags = 0;
    let retval: Int64 = 0;
    let errno = 0;
    if (name === 'exit_group' || name === 'exit') flags |= CallFlags.noReturn | CallFlags.retvalUnknown;
    else if (!exit) flags |= CallFlags.unfinished;
    else {
      retval = exit.retval;
      errno = exit.errno;
      if (RESTART_ERRNOS.has(errno)) flags |= CallFlags.interrupted;
    }
    const call: NewEvent = {
      kind: 'call',
      pid,
      tid,
      timeNs: enterNs ?? entry?.timeNs ?? (exit && exit.timeNs !== undefined ? exit.timeNs - exit.durationNs : undefined),
      name,
      sysno: syscallNumber(name),
      rawArgs,
      args,
      retval,
      errno,
      flags,
      buffers,
      arch: 'x86_64',
      ...(exit ? { durationNs: exit.durationNs } : {}),
    };
    const exec = exit && !exit.errno && EXEC_CALLS.has(name) ? this.execEvent(pid, tid, name, args, exit.timeNs) : undefined;
    if (EXEC_CALLS.has(name)) this.redactEnv(name, args);
    this.emit(call);
    if (exec) this.emit(exec);
  }

  private execEvent(pid: number, tid: number, name: string, args: ArgValue[], timeNs?: number): NewEvent {
    const off = name === 'execveat' ? 1 : 0;
    const p = args[off];
    const strs = (a: ArgValue | undefined): string[] => (a && a.k === 'array' ? a.items.map((i) => (i.k === 'str' ? String(i.v) : i.k === 'sym' ? i.v : '')) : []);
    const env = strs(args[off + 2]).map((e): EnvVar => {
      const i = e.indexOf('=');
      const nm = i < 0 ? e : e.slice(0, i);
      return this.opts.env ? { name: nm, value: i < 0 ? '' : e.slice(i + 1) } : { name: nm, value: '', valueRemoved: true };
    });
    return { kind: 'exec', pid, tid, timeNs, path: p && p.k === 'str' ? String(p.v) : '', argv: strs(args[off + 1]), env, oldPid: tid };
  }

  private redactEnv(name: string, args: ArgValue[]): void {
    const i = name === 'execveat' ? 3 : 2;
    const a = args[i];
    if (this.opts.env || !a || a.k !== 'array') return;
    args[i] = A.comment(`${a.items.length} vars`);
  }

  /** Emits the calls still waiting for their X record as unfinished. */
  end(): void {
    for (const [tid, e] of this.entries) this.finishCall(e.pid, tid, e.name, e, undefined, undefined);
    this.entries.clear();
  }
}
