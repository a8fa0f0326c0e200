import { CLONE_FLAG_BITS, signalNumber, type ArgValue } from '../../model/index.js';

export { CLONE_FLAG_BITS };

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
