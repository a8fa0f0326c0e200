import type { FdEntry, KernelState, Proc, Region } from './types.js';

/** One process as plain data: its fds sorted, its regions, its signal dispositions. */
export interface ProcView {
  pid: number;
  ppid: number;
  threads: number[];
  exe: string;
  argv: string[];
  cwd: string;
  inferred: boolean;
  exit?: { status: number; signal: number; seq: number };
  /** Other live pids sharing this fd table (CLONE_FILES). */
  sharesFdsWith: number[];
  /** Other live pids sharing this address space (CLONE_VM, vfork). */
  sharesMemoryWith: number[];
  fds: ({ fd: number } & FdEntry)[];
  regions: Region[];
  brk?: { start: number; end: number };
  signals: { signo: number; disposition: string }[];
}

/** A process of `s` as plain data, or undefined when the state does not know `pid`. */
export function viewProc(s: KernelState, pid: number): ProcView | undefined {
  const p = s.procs.get(pid);
  if (!p) return undefined;
  const fdt = s.fdTables.get(p.fdTable);
  const mm = s.mms.get(p.mm);
  const sharing = (pick: (q: Proc) => number, v: number) =>
    [...s.procs.values()].filter((q) => q.pid !== pid && !q.exit && pick(q) === v).map((q) => q.pid).sort((a, b) => a - b);
  const v: ProcView = {
    pid: p.pid,
    ppid: p.ppid,
    threads: [...p.threads],
    exe: p.exe,
    argv: [...p.argv],
    cwd: p.cwd,
    inferred: p.inferred,
    sharesFdsWith: p.exit ? [] : sharing((q) => q.fdTable, p.fdTable),
    sharesMemoryWith: p.exit ? [] : sharing((q) => q.mm, p.mm),
    fds: fdt && !p.exit ? [...fdt].sort((a, b) => a[0] - b[0]).map(([fd, e]) => ({ fd, ...e })) : [],
    regions: mm && !p.exit ? [...mm.regions] : [],
    signals: [...p.signals].sort((a, b) => a[0] - b[0]).map(([signo, disposition]) => ({ signo, disposition })),
  };
  if (p.exit) v.exit = { ...p.exit };
  if (mm && !p.exit && mm.brkStart !== undefined) v.brk = { start: mm.brkStart, end: mm.brkEnd ?? mm.brkStart };
  return v;
}

/** Every process of `s` as plain data, by pid: a canonical form for comparing two states. */
export function snapshot(s: KernelState): { seq: number; procs: ProcView[] } {
  const pids = [...s.procs.keys()].sort((a, b) => a - b);
  return { seq: s.seq, procs: pids.map((pid) => viewProc(s, pid) as ProcView) };
}

/** One line of the process tree: depth-first from the roots, children in pid order. */
export interface TreeLine {
  depth: number;
  pid: number;
  threads: number;
  label: string;
  exit?: { status: number; signal: number };
}

/** The process tree of `s` in display order. */
export function processTree(s: KernelState): TreeLine[] {
  const kids = new Map<number, number[]>();
  const seen = new Set<number>();
  const roots: number[] = [];
  for (const p of s.procs.values()) {
    if (p.ppid && s.procs.has(p.ppid)) {
      const list = kids.get(p.ppid) ?? [];
      list.push(p.pid);
      kids.set(p.ppid, list);
    } else roots.push(p.pid);
  }
  const out: TreeLine[] = [];
  const walk = (pid: number, depth: number) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const p = s.procs.get(pid) as Proc;
    const line: TreeLine = { depth, pid, threads: p.threads.length, label: p.argv.length ? p.argv.join(' ') : p.exe };
    if (p.exit) line.exit = { status: p.exit.status, signal: p.exit.signal };
    out.push(line);
    for (const k of (kids.get(pid) ?? []).sort((a, b) => a - b)) walk(k, depth + 1);
  };
  for (const r of roots.sort((a, b) => a - b)) walk(r, 0);
  return out;
}
