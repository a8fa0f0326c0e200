import type { CallEvent, TraceEvent } from '../model/index.js';
import { callName, succeeded } from './accessors.js';
import { Draft } from './draft.js';
import { FD_HANDLERS, learnFds, makerHandler } from './fds.js';
import { MEM_HANDLERS } from './memory.js';
import { applyExec, applyExit, applyStart, ensureProc, NO_RETURN_CALLS, PROC_HANDLERS } from './process.js';
import { FD_MAKERS } from './tables.js';
import type { KernelState, Proc } from './types.js';

type Rule = (d: Draft, p: Proc, ev: CallEvent) => void;

const RULES = new Map<string, Rule>();
for (const [n, h] of Object.entries(FD_HANDLERS)) RULES.set(n, h);
for (const n of Object.keys(FD_MAKERS)) RULES.set(n, makerHandler(n) as Rule);
for (const [n, h] of Object.entries(MEM_HANDLERS)) RULES.set(n, h);
for (const [n, h] of Object.entries(PROC_HANDLERS)) RULES.set(n, h);

/**
 * Calls without a rule whose fd arguments still teach the table an fd it did not know (inherited before
 * the trace began): the ones programs make early on an fd. read and write are left out on purpose:
 * they are most of a trace, and decoding their arguments would double the cost of a fold.
 */
export const LEARN_FROM: ReadonlySet<string> = new Set(['ioctl', 'fstat', 'newfstatat', 'statx', 'fstatfs', 'lseek', 'getdents64', 'fsync', 'ftruncate']);

/** Names of the calls the reducer has a rule for; every other call leaves the state alone. */
export const HANDLED_CALLS: ReadonlySet<string> = new Set(RULES.keys());

function untouched(s: KernelState, ev: CallEvent): boolean {
  const name = callName(ev);
  if (RULES.has(name) || LEARN_FROM.has(name)) return false;
  const p = s.procs.get(ev.pid);
  return p !== undefined && (p.exit !== undefined || ev.tid === ev.pid || p.threads.includes(ev.tid));
}

function applyCall(d: Draft, ev: CallEvent): void {
  const name = callName(ev);
  const p = ensureProc(d, ev.pid, ev.tid, ev.seq);
  if (p.exit) return;
  const rule = RULES.get(name);
  if (rule || LEARN_FROM.has(name)) learnFds(d, p, ev);
  if (!rule) return;
  const ok = succeeded(ev) || (name === 'close' && ev.errno !== 0) || (NO_RETURN_CALLS.has(name) && name.startsWith('exit'));
  if (!ok) return;
  rule(d, d.proc(ev.pid) ?? p, ev);
}

/**
 * The state after `ev` with `seq` left as it was: `s` itself when the event changed nothing. For folds
 * that track the event count themselves (StateIndex); others use reduce().
 */
export function applyEvent(s: KernelState, ev: TraceEvent): KernelState {
  if (ev.kind === 'signal' || ev.kind === 'unparsed') return s;
  if (ev.kind === 'call' && untouched(s, ev)) return s;
  const d = new Draft(s);
  switch (ev.kind) {
    case 'call':
      applyCall(d, ev);
      break;
    case 'start':
      applyStart(d, ev);
      break;
    case 'exec':
      applyExec(d, ev);
      break;
    case 'exit':
      applyExit(d, ev);
      break;
  }
  return d.finish();
}

/** `s` numbered as the state before event `seq` (the same object when it already is). */
export function withSeq(s: KernelState, seq: number): KernelState {
  return s.seq === seq ? s : { ...s, seq };
}

/**
 * The state after `ev`: pure and synchronous; `s` is never changed and unchanged parts are shared.
 * Unknown calls, failed calls and events of unknown kinds leave the state as it was (only `seq` advances).
 */
export function reduce(s: KernelState, ev: TraceEvent): KernelState {
  return withSeq(applyEvent(s, ev), ev.seq + 1);
}

/** Folds `reduce` over `events` starting from `s`. */
export function reduceAll(s: KernelState, events: Iterable<TraceEvent>): KernelState {
  let cur = s;
  let seq = s.seq;
  for (const ev of events) {
    cur = applyEvent(cur, ev);
    seq = ev.seq + 1;
  }
  return withSeq(cur, seq);
}
