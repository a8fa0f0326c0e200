import { PMap } from './pmap.js';

/** What one fd refers to: the kind of object and its description (path, `pipe:[123]`, `TCP:[...]`). */
export interface FdEntry {
  readonly kind: string;
  readonly path: string;
  readonly cloexec: boolean;
  readonly append: boolean;
  /** Access mode: 'r', 'w', 'rw' or '' when unknown. */
  readonly mode: string;
  /** Event number that created this fd, -1 when it was inherited from before the trace. */
  readonly since: number;
}

/** An fd table: fd number to entry. Never mutated; changes make a new table. */
export type FdTable = ReadonlyMap<number, FdEntry>;

/** One mapped region [start, end) of an address space. */
export interface Region {
  readonly start: number;
  readonly end: number;
  /** PROT_* bits. */
  readonly prot: number;
  readonly shared: boolean;
  /** File path, `[heap]`, `[anon]`, or a memfd name. */
  readonly path: string;
  /** File offset of `start`. */
  readonly offset: number;
}

/** An address space: regions sorted by start, not overlapping, plus the program break. */
export interface MemMap {
  readonly regions: readonly Region[];
  readonly brkStart?: number;
  readonly brkEnd?: number;
}

/** How a process ended. */
export interface ProcExit {
  readonly status: number;
  readonly signal: number;
  readonly seq: number;
}

/** One process (thread group). fd tables and address spaces are referenced by id so that CLONE_FILES / CLONE_VM share them. */
export interface Proc {
  readonly pid: number;
  /** Parent pid, or 0 when unknown (the root, or a process first seen mid-trace). */
  readonly ppid: number;
  /** Live threads (tids), the leader first. */
  readonly threads: readonly number[];
  readonly exe: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly fdTable: number;
  readonly mm: number;
  /** Signal number to disposition ("SIG_IGN", "handler 0x...", "set"), only those not default. */
  readonly signals: ReadonlyMap<number, string>;
  /** True when the process appeared without a clone/start event (its inheritance is unknown). */
  readonly inferred: boolean;
  readonly startSeq: number;
  readonly exit?: ProcExit;
}

/** The whole rebuilt kernel state after some prefix of a trace. Immutable: reducers return a new state sharing what did not change. */
export interface KernelState {
  /** Number of events applied (the state is the one before event `seq`). */
  readonly seq: number;
  readonly procs: PMap<Proc>;
  readonly fdTables: ReadonlyMap<number, FdTable>;
  readonly mms: ReadonlyMap<number, MemMap>;
  /** Pids of exited processes, oldest first (bounded: the oldest are forgotten). */
  readonly exited: readonly number[];
  readonly nextId: number;
  /** Working directory of the first process, from the trace header. */
  readonly rootCwd: string;
}

/** How many exited processes the state remembers for the process tree. */
export const EXITED_KEEP = 64;

/** The state before any event; `cwd` is the recorder's working directory from the header. */
export function emptyState(cwd = ''): KernelState {
  return { seq: 0, procs: PMap.empty<Proc>(), fdTables: new Map(), mms: new Map(), exited: [], nextId: 1, rootCwd: cwd };
}
