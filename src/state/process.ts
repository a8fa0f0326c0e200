import type { CallEvent, ExecEvent, ExitEvent, StartEvent } from '../model/index.js';
import { argField, signalNumber } from '../model/index.js';
import { argBits, argInt, argPath, argStringArray, callName, decodedArg, hasBits, namedArg, peel, retNum, valueBits } from './accessors.js';
import type { Draft } from './draft.js';
import { closeOnExec, resolvePath } from './fds.js';
import { CLONE_FILES, CLONE_FLAGS, CLONE_THREAD, CLONE_VM } from './tables.js';
import type { FdEntry, Proc } from './types.js';

/** A new process record with nothing known but its pid. */
export function blankProc(d: Draft, pid: number, seq: number, cwd: string, inferred: boolean): Proc {
  const fdTable = d.newId();
  const mm = d.newId();
  d.setFdTable(fdTable, new Map());
  d.setMm(mm, { regions: [] });
  return { pid, ppid: 0, threads: [pid], exe: '', argv: [], cwd, fdTable, mm, signals: new Map(), inferred, startSeq: seq };
}

const STDIO: FdEntry[] = [0, 1, 2].map(() => ({ kind: 'inherited', path: '', cloexec: false, append: false, mode: '', since: -1 }));

/** The root process: stdin, stdout and stderr inherited, cwd from the header. */
export function rootProc(d: Draft, pid: number, seq: number): Proc {
  const p = blankProc(d, pid, seq, d.base.rootCwd, false);
  d.setFdTable(p.fdTable, new Map(STDIO.map((e, i) => [i, e])));
  d.setProc(p);
  return p;
}

/** The process of `pid`, created (as the root when it is the first, else as inferred) when unknown or when the pid was reused. */
export function ensureProc(d: Draft, pid: number, tid: number, seq: number): Proc {
  let p = d.proc(pid);
  if (!p) {
    if (d.procCount() === 0) return rootProc(d, pid, seq);
    p = blankProc(d, pid, seq, '', true);
    d.setProc(p);
  }
  if (tid !== pid && !p.exit && !p.threads.includes(tid)) {
    p = { ...p, threads: [...p.threads, tid] };
    d.setProc(p);
  }
  return p;
}

/** Creates child `pid` of `parent` as clone(`flags`) does: shared or copied fd table and address space. */
export function forkChild(d: Draft, parent: Proc, pid: number, flags: number, seq: number): void {
  const existing = d.proc(pid);
  if (existing && !existing.exit && !existing.inferred) return;
  const shareFiles = hasBits(flags, CLONE_FILES);
  let fdTable = parent.fdTable;
  if (!shareFiles) {
    fdTable = d.newId();
    let t = d.fdTable(parent.fdTable);
    if (existing && !existing.exit && existing.inferred) {
      const own = d.fdTable(existing.fdTable);
      const merged = new Map(t);
      for (const [fd, e] of own) merged.set(fd, e);
      t = merged;
    }
    d.setFdTable(fdTable, t);
  }
  let mm = parent.mm;
  if (!hasBits(flags, CLONE_VM)) {
    mm = d.newId();
    d.setMm(mm, existing && !existing.exit && existing.inferred && d.mm(existing.mm).regions.length ? d.mm(existing.mm) : d.mm(parent.mm));
  }
  const child: Proc = {
    pid,
    ppid: parent.pid,
    threads: [pid],
    exe: parent.exe,
    argv: parent.argv,
    cwd: existing && existing.inferred && existing.cwd ? existing.cwd : parent.cwd,
    fdTable,
    mm,
    signals: parent.signals,
    inferred: false,
    startSeq: existing && !existing.exit ? existing.startSeq : seq,
  };
  d.setProc(child);
}

function addThread(d: Draft, p: Proc, tid: number): void {
  if (p.threads.includes(tid)) return;
  d.setProc({ ...p, threads: [...p.threads, tid] });
}

/** Applies a successful exec: close-on-exec fds dropped, a fresh address space, handled signals reset, one thread. */
export function execProc(d: Draft, p: Proc, exe: string | undefined, argv: readonly string[] | undefined): void {
  const q = closeOnExec(d, p);
  const mm = d.newId();
  d.setMm(mm, { regions: [] });
  const signals = new Map<number, string>();
  for (const [s, v] of q.signals) if (v === 'SIG_IGN') signals.set(s, v);
  d.setProc({ ...q, mm, signals, threads: [p.pid], exe: exe ?? q.exe, argv: argv ?? q.argv });
  d.release(p.fdTable, p.mm);
}

/** Ends one thread; the last thread's exit ends the process with its status. */
export function exitThread(d: Draft, p: Proc, tid: number, status: number, seq: number): void {
  if (p.exit) return;
  const threads = p.threads.filter((t) => t !== tid);
  if (threads.length === 0) exitProc(d, p, status, 0, seq);
  else d.setProc({ ...p, threads });
}

const NO_SIGNALS: ReadonlyMap<number, string> = new Map();
const EXITED_LABEL = 120;

/** An exited process keeps its command line as one short label (keyframes hold many exited processes). */
function slimArgv(argv: readonly string[]): readonly string[] {
  const joined = argv.join(' ');
  return argv.length <= 1 && joined.length <= EXITED_LABEL ? argv : [joined.length > EXITED_LABEL ? `${joined.slice(0, EXITED_LABEL - 3)}...` : joined];
}

/** Ends a whole process: every thread gone, its fd table and address space released when no longer shared. */
export function exitProc(d: Draft, p: Proc, status: number, signal: number, seq: number): void {
  if (p.exit) {
    if (p.exit.status !== status || p.exit.signal !== signal) d.setProc({ ...p, exit: { status, signal, seq: p.exit.seq } });
    return;
  }
  d.setProc({ ...p, threads: [], signals: NO_SIGNALS, argv: slimArgv(p.argv), exit: { status, signal, seq } });
  d.release(p.fdTable, p.mm);
  d.noteExited(p.pid);
}

function cloneFlagsOf(ev: CallEvent, name: string): number {
  if (name === 'fork') return 0;
  if (name === 'vfork') return CLONE_VM | CLONE_FLAGS.CLONE_VFORK;
  if (name === 'clone3') return valueBits(argField(peel(ev.args[0]), 'flags'), CLONE_FLAGS) ?? 0;
  const named = namedArg(ev, 'flags');
  if (named) return valueBits(named, CLONE_FLAGS) ?? 0;
  if (ev.args.length === 0) return argBits(ev, 0, CLONE_FLAGS);
  for (const a of ev.args) {
    const v = peel(a);
    if (v && v.k === 'flags' && v.v.some((f) => f.startsWith('CLONE_'))) return valueBits(v, CLONE_FLAGS) ?? 0;
  }
  return argBits(ev, 0, CLONE_FLAGS);
}

/** A process handler: applies one call to the process table. */
export type ProcHandler = (d: Draft, p: Proc, ev: CallEvent) => void;

function cloneCall(d: Draft, p: Proc, ev: CallEvent): void {
  const child = retNum(ev);
  if (child <= 0) return;
  const flags = cloneFlagsOf(ev, callName(ev));
  if (hasBits(flags, CLONE_THREAD)) addThread(d, p, child);
  else forkChild(d, p, child, flags, ev.seq);
}

function sigDisposition(ev: CallEvent): string | undefined {
  const act = decodedArg(ev, 1);
  if (act) {
    if (act.k === 'struct') {
      const h = peel(argField(act, 'sa_handler'));
      if (!h) return 'set';
      if (h.k === 'sym') return h.v;
      if (h.k === 'int') return `handler 0x${Number(h.v).toString(16)}`;
      return 'set';
    }
    return undefined;
  }
  const raw = ev.rawArgs[1];
  return raw !== undefined && Number(raw) !== 0 ? 'set' : undefined;
}

/** The process rules, by call name: clone, fork, vfork, exec, exit, chdir-like and rt_sigaction. */
export const PROC_HANDLERS: Readonly<Record<string, ProcHandler>> = {
  clone: cloneCall,
  clone3: cloneCall,
  fork: cloneCall,
  vfork: cloneCall,
  execve: (d, p, ev) => execProc(d, p, pathOf(d, p, ev, -1, 0), argStringArray(ev, 1)),
  execveat: (d, p, ev) => execProc(d, p, pathOf(d, p, ev, 0, 1), argStringArray(ev, 2)),
  exit: (d, p, ev) => exitThread(d, p, ev.tid, (argInt(ev, 0) ?? 0) & 0xff, ev.seq),
  exit_group: (d, p, ev) => exitProc(d, p, (argInt(ev, 0) ?? 0) & 0xff, 0, ev.seq),
  rt_sigaction: (d, p, ev) => {
    const sig = argInt(ev, 0, SIGNALS);
    const disp = sigDisposition(ev);
    if (sig === undefined || disp === undefined) return;
    const signals = new Map(p.signals);
    if (disp === 'SIG_DFL') signals.delete(sig);
    else signals.set(sig, disp);
    d.setProc({ ...p, signals });
  },
};

const SIGNALS: Readonly<Record<string, number>> = new Proxy({} as Record<string, number>, {
  get: (_t, k: string) => signalNumber(k),
  has: (_t, k: string) => typeof k === 'string' && signalNumber(k) !== undefined,
});

function pathOf(d: Draft, p: Proc, ev: CallEvent, dirfdArg: number, pathArg: number): string | undefined {
  const given = argPath(ev, pathArg);
  if (given === undefined) return undefined;
  return resolvePath(d, p, dirfdArg < 0 ? -100 : argInt(ev, dirfdArg), given);
}

/** Calls whose rule runs even without a normal return (they never return on success). */
export const NO_RETURN_CALLS: ReadonlySet<string> = new Set(['exit', 'exit_group', 'execve', 'execveat']);

/** Applies a start event: the root process, a forked child, or a new thread. */
export function applyStart(d: Draft, ev: StartEvent): void {
  if (ev.isRoot) {
    const cur = d.proc(ev.pid);
    if (!cur || cur.exit) rootProc(d, ev.pid, ev.seq);
    return;
  }
  if (ev.isThread) {
    addThread(d, ensureProc(d, ev.pid, ev.pid, ev.seq), ev.tid);
    return;
  }
  const parent = d.proc(ev.parentPid) ?? ensureProc(d, ev.parentPid, ev.parentPid, ev.seq);
  forkChild(d, parent, ev.pid, Number(ev.cloneFlags), ev.seq);
}

/** Applies an exec event (authoritative path and argv). */
export function applyExec(d: Draft, ev: ExecEvent): void {
  const p = ensureProc(d, ev.pid, ev.pid, ev.seq);
  if (p.exe === ev.path && sameArgv(p.argv, ev.argv) && d.mm(p.mm).regions.length === 0) return;
  execProc(d, p, ev.path, ev.argv);
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Applies an exit event: one thread, or the whole process with its status or killing signal. */
export function applyExit(d: Draft, ev: ExitEvent): void {
  const p = d.proc(ev.pid);
  if (!p) return;
  if (ev.threadOnly) exitThread(d, p, ev.tid, ev.status, ev.seq);
  else exitProc(d, p, ev.status, ev.signal, ev.seq);
}
