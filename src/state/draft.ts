import type { PMapEditor } from './pmap.js';
import type { FdTable, KernelState, MemMap, Proc } from './types.js';
import { EXITED_KEEP } from './types.js';

/**
 * A copy-on-write view of one KernelState while one event is applied: the first write to a map copies it,
 * finish() returns the base state itself when nothing changed.
 */
export class Draft {
  private procs?: PMapEditor<Proc>;
  private fdTables?: Map<number, FdTable>;
  private mms?: Map<number, MemMap>;
  private exited?: number[];
  private nextId: number;

  constructor(readonly base: KernelState) {
    this.nextId = base.nextId;
  }

  /** The process `pid`, or undefined. */
  proc(pid: number): Proc | undefined {
    return (this.procs ?? this.base.procs).get(pid);
  }

  /** Every process record. */
  allProcs(): IterableIterator<Proc> {
    return (this.procs ?? this.base.procs).values();
  }

  /** Number of process records. */
  procCount(): number {
    return (this.procs ?? this.base.procs).size;
  }

  /** Stores a process record (as a fresh record of the one shape: see procRecord). */
  setProc(p: Proc): void {
    this.procs ??= this.base.procs.edit();
    this.procs.set(p.pid, procRecord(p));
  }

  /** The fd table `id` (empty when released). */
  fdTable(id: number): FdTable {
    return (this.fdTables ?? this.base.fdTables).get(id) ?? EMPTY_FDS;
  }

  /** Stores an fd table under `id`. */
  setFdTable(id: number, t: FdTable): void {
    this.fdTables ??= new Map(this.base.fdTables);
    this.fdTables.set(id, t);
  }

  /** The address space `id` (empty when released). */
  mm(id: number): MemMap {
    return (this.mms ?? this.base.mms).get(id) ?? EMPTY_MM;
  }

  /** Stores an address space under `id`. */
  setMm(id: number, m: MemMap): void {
    this.mms ??= new Map(this.base.mms);
    this.mms.set(id, m);
  }

  /** A fresh id for a new fd table or address space. */
  newId(): number {
    return this.nextId++;
  }

  /** Drops fd tables and address spaces no live process refers to any more. */
  release(fdId: number, mmId: number): void {
    let fdUsed = false;
    let mmUsed = false;
    for (const p of this.allProcs()) {
      if (p.exit) continue;
      if (p.fdTable === fdId) fdUsed = true;
      if (p.mm === mmId) mmUsed = true;
    }
    if (!fdUsed && (this.fdTables ?? this.base.fdTables).has(fdId)) {
      this.fdTables ??= new Map(this.base.fdTables);
      this.fdTables.delete(fdId);
    }
    if (!mmUsed && (this.mms ?? this.base.mms).has(mmId)) {
      this.mms ??= new Map(this.base.mms);
      this.mms.delete(mmId);
    }
  }

  /** Records that `pid` exited, forgetting the oldest exited process beyond the bound. */
  noteExited(pid: number): void {
    this.exited ??= [...this.base.exited];
    this.exited.push(pid);
    while (this.exited.length > EXITED_KEEP) {
      const old = this.exited.shift() as number;
      const p = this.proc(old);
      if (p && p.exit) {
        this.procs ??= this.base.procs.edit();
        this.procs.delete(old);
      }
    }
  }

  /** The new state (the base object itself when nothing changed; `seq` is set by the caller). */
  finish(): KernelState {
    const b = this.base;
    if (!this.procs?.dirty && !this.fdTables && !this.mms && !this.exited && this.nextId === b.nextId) return b;
    return {
      seq: b.seq,
      procs: this.procs?.dirty ? this.procs.done() : b.procs,
      fdTables: this.fdTables ?? b.fdTables,
      mms: this.mms ?? b.mms,
      exited: this.exited ?? b.exited,
      nextId: this.nextId,
      rootCwd: b.rootCwd,
    };
  }
}

/**
 * `p` as an object literal with every field in one order. Records made by spreading (`{ ...p, exit }`)
 * each got a hidden class of their own from V8 (about 0.5 KB per exited process, and keyframes hold
 * thousands of them); records made here share two (with and without `exit`).
 */
export function procRecord(p: Proc): Proc {
  if (p.exit === undefined)
    return { pid: p.pid, ppid: p.ppid, threads: p.threads, exe: p.exe, argv: p.argv, cwd: p.cwd, fdTable: p.fdTable, mm: p.mm, signals: p.signals, inferred: p.inferred, startSeq: p.startSeq };
  return { pid: p.pid, ppid: p.ppid, threads: p.threads, exe: p.exe, argv: p.argv, cwd: p.cwd, fdTable: p.fdTable, mm: p.mm, signals: p.signals, inferred: p.inferred, startSeq: p.startSeq, exit: p.exit };
}

/** The empty fd table. */
export const EMPTY_FDS: FdTable = new Map();
/** The empty address space. */
export const EMPTY_MM: MemMap = { regions: [] };
