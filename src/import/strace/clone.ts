import { signalNumber, type ArgValue } from '../../model/index.js';

/** Linux clone flag bits by name (include/uapi/linux/sched.h). */
export const CLONE_FLAG_BITS: Readonly<Record<string, number>> = {
  CLONE_NEWTIME: 0x80,
  CLONE_VM: 0x100,
  CLONE_FS: 0x200,
  CLONE_FILES: 0x400,
  CLONE_SIGHAND: 0x800,
  CLONE_PIDFD: 0x1000,
  CLONE_PTRACE: 0x2000,
  CLONE_VFORK: 0x4000,
  CLONE_PARENT: 0x8000,
  CLONE_THREAD: 0x10000,
  CLONE_NEWNS: 0x20000,
  CLONE_SYSVSEM: 0x40000,
  CLONE_SETTLS: 0x80000,
  CLONE_PARENT_SETTID: 0x100000,
  CLONE_CHILD_CLEARTID: 0x200000,
  CLONE_DETACHED: 0x400000,
  CLONE_UNTRACED: 0x800000,
  CLONE_CHILD_SETTID: 0x1000000,
  CLONE_NEWCGROUP: 0x2000000,
  CLONE_NEWUTS: 0x4000000,
  CLONE_NEWIPC: 0x8000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
  CLONE_IO: 0x80000000,
  CLONE_CLEAR_SIGHAND: 0x100000000,
  CLONE_INTO_CGROUP: 0x200000000,
};

function bitsOf(a: ArgValue | undefined): number | undefined {
  if (!a) return undefined;
  if (a.k === 'int') return Number(a.v);
  if (a.k === 'comment' && a.of) return bitsOf(a.of);
  const names = a.k === 'flags' ? a.v : a.k === 'sym' ? [a.v] : undefined;
  if (!names) return undefined;
  let v = 0;
  for (const n of names) {
    const bit = CLONE_FLAG_BITS[n] ?? signalNumber(n) ?? (/^(0x[0-9a-f]+|\d+)$/i.test(n) ? Number(n) : 0);
    v += bit;
  }
  return v;
}

function flagsArg(args: ArgValue[]): ArgValue | undefined {
  for (const a of args) {
    if (a.k === 'op' && a.op === '=' && a.l.k === 'sym' && a.l.v === 'flags') return a.r;
    const s = a.k === 'op' && a.op === '=>' ? a.l : a;
    if (s.k === 'struct') for (const [n, v] of s.fields) if (n === 'flags') return v;
  }
  return undefined;
}

/** The numeric clone flags of a fork-family call as strace printed it (fork 0, vfork CLONE_VM|CLONE_VFORK). */
export function cloneFlagsOf(name: string, args: ArgValue[]): number {
  if (name === 'fork') return 0;
  if (name === 'vfork') return CLONE_FLAG_BITS.CLONE_VM + CLONE_FLAG_BITS.CLONE_VFORK;
  return bitsOf(flagsArg(args)) ?? 0;
}

/** Whether clone flags make a thread (CLONE_THREAD) rather than a process. */
export function isThreadFlags(flags: number): boolean {
  return Math.floor(flags / CLONE_FLAG_BITS.CLONE_THREAD) % 2 === 1;
}
