import { ERRNO_TABLE } from './errno-table.js';
import { SIGNAL_NAMES } from './signal-table.js';
import { X86_64_SYSCALLS } from './syscall-table.js';

const errnoByNumber = new Map<number, { name: string; text: string }>();
const errnoByName = new Map<string, number>();
for (const [n, name, text] of ERRNO_TABLE) {
  errnoByNumber.set(n, { name, text });
  errnoByName.set(name, n);
}
for (const [alias, n] of [
  ['EWOULDBLOCK', 11],
  ['EDEADLOCK', 35],
  ['ENOTSUP', 95],
] as const)
  errnoByName.set(alias, n);

/** The symbolic name of a positive errno (2 gives "ENOENT"); `E<n>` for numbers the table lacks. */
export function errnoName(n: number): string {
  return errnoByNumber.get(n)?.name ?? `E${n}`;
}

/** The strerror text of a positive errno, or "" when unknown. */
export function errnoText(n: number): string {
  return errnoByNumber.get(n)?.text ?? '';
}

/** The number of an errno name ("ENOENT" gives 2, "E77" gives 77), or undefined. */
export function errnoNumber(name: string): number | undefined {
  const n = errnoByName.get(name);
  if (n !== undefined) return n;
  const m = /^E(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

const sysnoByName = new Map<string, number>();
X86_64_SYSCALLS.forEach((name, i) => name && sysnoByName.set(name, i));

/** The x86_64 syscall name for a number, or `syscall_<n>` when unknown. */
export function syscallName(n: number): string {
  return X86_64_SYSCALLS[n] || `syscall_${n}`;
}

/** The x86_64 syscall number for a name, or -1 when unknown. */
export function syscallNumber(name: string): number {
  return sysnoByName.get(name) ?? -1;
}

const signoByName = new Map<string, number>();
SIGNAL_NAMES.forEach((name, i) => name && signoByName.set(name, i));
signoByName.set('SIGIOT', 6);
signoByName.set('SIGPOLL', 29);
signoByName.set('SIGCLD', 17);

/** The name of a signal number (9 gives "SIGKILL"; real-time ones give "SIGRT_<n>"). */
export function signalName(n: number): string {
  if (SIGNAL_NAMES[n]) return SIGNAL_NAMES[n];
  if (n >= 32 && n <= 64) return `SIGRT_${n - 32}`;
  return `SIG${n}`;
}

/** The number of a signal name ("SIGKILL" or "KILL" gives 9), or undefined. */
export function signalNumber(name: string): number | undefined {
  const full = name.startsWith('SIG') ? name : `SIG${name}`;
  const n = signoByName.get(full);
  if (n !== undefined) return n;
  const rt = /^SIGRT(?:MIN|_)(?:\+?(\d+))?$/.exec(full);
  if (rt) return 32 + Number(rt[1] ?? 0);
  const num = /^SIG(\d+)$/.exec(full);
  return num ? Number(num[1]) : undefined;
}
