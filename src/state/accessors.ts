import type { ArgValue, CallEvent, Int64 } from '../model/index.js';
import { argString, CallFlags, syscallName } from '../model/index.js';

/** The call's name, from the event or, for raw-only sources, from its syscall number. */
export function callName(ev: CallEvent): string {
  return ev.name || (ev.sysno >= 0 ? syscallName(ev.sysno) : '');
}

/** True when the call returned (not unfinished, not a lost result) without an errno. */
export function succeeded(ev: CallEvent): boolean {
  return ev.errno === 0 && (ev.flags & (CallFlags.unfinished | CallFlags.retvalUnknown)) === 0;
}

/** The return value as a number (addresses on x86_64 fit a double exactly). */
export function retNum(ev: CallEvent): number {
  return Number(ev.retval);
}

/** Decoded argument `i` with `name=value` wrappers and comments peeled off, or undefined. */
export function decodedArg(ev: CallEvent, i: number): ArgValue | undefined {
  return peel(ev.args[i]);
}

/** Strips `name=` (op '='), `in => out` (keeps the value passed in) and comment wrappers from a decoded value. */
export function peel(a: ArgValue | undefined): ArgValue | undefined {
  let v = a;
  for (let depth = 0; v && depth < 4; depth++) {
    if (v.k === 'op' && v.op === '=') v = v.r;
    else if (v.k === 'op' && v.op === '=>') v = v.l;
    else if (v.k === 'comment' && v.of) v = v.of;
    else break;
  }
  return v;
}

/** The decoded argument introduced as `name=...`, when the source printed names (clone's flags=...). */
export function namedArg(ev: CallEvent, name: string): ArgValue | undefined {
  for (const a of ev.args) if (a.k === 'op' && a.op === '=' && a.l.k === 'sym' && a.l.v === name) return peel(a.r);
  return undefined;
}

const SYMBOL_INTS: Readonly<Record<string, number>> = { NULL: 0, AT_FDCWD: -100 };

/** A value as an integer: int, fd, symbols NULL/AT_FDCWD, a signal or constant name looked up in `names`. */
export function valueInt(a: ArgValue | undefined, names?: Readonly<Record<string, number>>): number | undefined {
  const v = peel(a);
  if (!v) return undefined;
  if (v.k === 'int') return Number(v.v);
  if (v.k === 'fd') return v.fd;
  if (v.k === 'sym') {
    if (names && v.v in names) return names[v.v];
    if (v.v in SYMBOL_INTS) return SYMBOL_INTS[v.v];
    return parseNumber(v.v);
  }
  if (v.k === 'raw') return parseNumber(v.v);
  return undefined;
}

function parseNumber(s: string): number | undefined {
  if (/^-?0x[0-9a-f]+$/i.test(s)) return s.startsWith('-') ? -Number(s.slice(1)) : Number(s);
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^0[0-7]+$/.test(s)) return parseInt(s, 8);
  return undefined;
}

/** Argument `i` as an integer: decoded when present, else the raw register value. */
export function argInt(ev: CallEvent, i: number, names?: Readonly<Record<string, number>>): number | undefined {
  const d = valueInt(ev.args[i], names);
  if (d !== undefined) return d;
  const r: Int64 | undefined = ev.rawArgs[i];
  return r === undefined ? undefined : Number(r);
}

/** A flag set as bits: decoded names (and numeric parts) OR-ed through `table`, or an integer as is. */
export function valueBits(a: ArgValue | undefined, table: Readonly<Record<string, number>>): number | undefined {
  const v = peel(a);
  if (!v) return undefined;
  if (v.k === 'flags' || v.k === 'sym') {
    const names = v.k === 'flags' ? v.v : [v.v];
    let bits = 0;
    for (const n of names) {
      const b = table[n] ?? parseNumber(n);
      if (b !== undefined) bits = orBits(bits, b);
    }
    return bits;
  }
  if (v.k === 'int') return Number(v.v);
  return undefined;
}

/** Argument `i` as a bit set: decoded when present, else the raw register value. */
export function argBits(ev: CallEvent, i: number, table: Readonly<Record<string, number>>): number {
  const d = valueBits(ev.args[i], table);
  if (d !== undefined) return d;
  const r = ev.rawArgs[i];
  return r === undefined ? 0 : Number(BigInt.asUintN(32, BigInt(r)));
}

/** OR of two non-negative bit sets up to 2^53 (JavaScript's | is 32-bit). */
export function orBits(a: number, b: number): number {
  return a + b - andBits(a, b);
}

/** AND of two non-negative bit sets up to 2^53. */
export function andBits(a: number, b: number): number {
  if (a <= 0x7fffffff && b <= 0x7fffffff && a >= 0 && b >= 0) return a & b;
  return Number(BigInt(Math.trunc(a)) & BigInt(Math.trunc(b)));
}

/** True when every bit of `bit` is set in `bits`. */
export function hasBits(bits: number, bit: number): boolean {
  return bit !== 0 && andBits(bits, bit) === bit;
}

/** Argument `i` as a path string (decoded only: raw registers hold pointers). */
export function argPath(ev: CallEvent, i: number): string | undefined {
  const v = peel(ev.args[i]);
  if (!v) return undefined;
  if (v.k === 'str') return argString(v);
  if (v.k === 'fd') return v.path;
  return undefined;
}

/** The path strace -yy printed with an fd argument (`3</etc/passwd>`), or undefined. */
export function argFdPath(ev: CallEvent, i: number): string | undefined {
  const v = peel(ev.args[i]);
  return v && v.k === 'fd' ? v.path : undefined;
}

/** Integers of a decoded array argument ([3, 4] of pipe2), or undefined when not decoded. */
export function argIntArray(ev: CallEvent, i: number): number[] | undefined {
  const v = peel(ev.args[i]);
  if (!v || v.k !== 'array') return undefined;
  const out: number[] = [];
  for (const it of v.items) {
    const n = valueInt(it);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/** Strings of a decoded array argument (execve's argv), or undefined. */
export function argStringArray(ev: CallEvent, i: number): string[] | undefined {
  const v = peel(ev.args[i]);
  if (!v || v.k !== 'array') return undefined;
  const out: string[] = [];
  for (const it of v.items) {
    const s = argString(peel(it));
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** The fd path strace -yy printed on the return value (`= 3</etc/passwd>`), when the call returned an fd. */
export function retPath(ev: CallEvent): string | undefined {
  return ev.retAnnotation || undefined;
}
