import type { ArgValue, CallBuffer, CallEvent, Int64, TraceEvent, TraceHeader } from '../model/index.js';
import { CallFlags, errnoName, errnoText, PROGRAM_OUTPUT, stackOf } from '../model/index.js';

/** How much of a string or buffer the text renderers print before cutting with `...`. */
export const DEFAULT_STRING_LIMIT = 64;

/** Options of the strace-like renderers. */
export interface LineOptions {
  /** Cut strings and buffers after this many bytes (default 64). */
  stringLimit?: number;
  /** Header start time: with it, times print as wall-clock HH:MM:SS.micro; without, as seconds since start. */
  startTimeNs?: bigint;
  /** Print the pid column (default true). */
  pid?: boolean;
  /** Print the tid after the pid when it differs (default true). */
  tid?: boolean;
  time?: boolean;
  /** Print the duration as strace -T does. */
  duration?: boolean;
}

function hex(v: Int64): string {
  if (typeof v === 'bigint') return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

const ESC: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** Quotes bytes as strace does: printable ASCII as is, the usual C escapes, other bytes as \xNN. */
export function quoteBytes(bytes: Uint8Array, limit: number, truncated = false): string {
  let s = '"';
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    const e = ESC[b];
    if (e) s += e;
    else if (b >= 32 && b < 127) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  s += '"';
  if (truncated || bytes.length > limit) s += '...';
  return s;
}

function quoteString(v: string | Uint8Array, limit: number, trunc?: boolean): string {
  const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return quoteBytes(bytes, limit, trunc);
}

/** Operators strace prints without spaces (`rlim_cur=8192*1024`, `1<<20`); the others get spaces (`a => b`). */
const TIGHT_OPS = new Set(['=', '*', '+', '<<']);

/** Renders one decoded argument the way strace prints it. `buffers` resolves `buf` references. */
export function formatArg(a: ArgValue, limit = DEFAULT_STRING_LIMIT, buffers: CallBuffer[] = []): string {
  switch (a.k) {
    case 'int':
      return a.base === 16 ? hex(a.v) : a.base === 8 ? (a.v === 0 ? '000' : `0${a.v.toString(8)}`) : String(a.v);
    case 'str':
      return quoteString(a.v, limit, a.trunc);
    case 'flags':
      return a.v.length ? a.v.join('|') : '0';
    case 'struct':
      return `{${a.fields.map(([n, v]) => `${n ? `${n}=` : ''}${formatArg(v, limit, buffers)}`).join(', ')}${a.trunc ? (a.fields.length ? ', ...' : '...') : ''}}`;
    case 'array':
      return `[${a.items.map((v) => formatArg(v, limit, buffers)).join(', ')}${a.trunc ? (a.items.length ? ', ...' : '...') : ''}]`;
    case 'fd': {
      const name = a.fd === -100 ? 'AT_FDCWD' : String(a.fd);
      return a.path === undefined ? name : `${name}<${a.path}>`;
    }
    case 'sym':
      return a.v;
    case 'fn':
      return `${a.name}(${a.args.map((v) => formatArg(v, limit, buffers)).join(', ')})`;
    case 'buf': {
      const b = buffers[a.i];
      if (!b) return '?';
      if (b.digest && b.data.length === 0) return `<${b.fullLength || 0} bytes sha256:${Buffer.from(b.digest).toString('hex').slice(0, 16)}>`;
      return quoteBytes(b.data, limit, b.truncated || b.data.length > limit);
    }
    case 'more':
      return '...';
    case 'raw':
      return a.v;
    case 'comment':
      return a.of ? `${formatArg(a.of, limit, buffers)} /* ${a.v} */` : `/* ${a.v} */`;
    case 'not':
      return `~${formatArg(a.v, limit, buffers)}`;
    case 'op':
      return TIGHT_OPS.has(a.op) ? `${formatArg(a.l, limit, buffers)}${a.op}${formatArg(a.r, limit, buffers)}` : `${formatArg(a.l, limit, buffers)} ${a.op} ${formatArg(a.r, limit, buffers)}`;
  }
}

/** The `= ...` part of a call: return value with its annotation, errno name and text, flags. */
export function formatResult(c: CallEvent): string {
  if (c.flags & CallFlags.unfinished) return '<unfinished ...>';
  if (c.flags & CallFlags.retvalUnknown) return '= ?';
  let s: string;
  if (c.errno) {
    const name = errnoName(c.errno);
    const text = errnoText(c.errno);
    s = `= -1 ${name}${text ? ` (${text})` : ''}`;
  } else {
    const big = typeof c.retval === 'bigint' || Math.abs(c.retval) >= 0x10000000;
    s = `= ${big ? hex(c.retval) : String(c.retval)}`;
    if (c.retAnnotation) s += `<${c.retAnnotation}>`;
  }
  return s;
}

/** `name(args)` of a call. */
export function formatCallBody(c: CallEvent, limit = DEFAULT_STRING_LIMIT): string {
  return `${c.name}(${c.args.map((a) => formatArg(a, limit, c.buffers)).join(', ')})`;
}

/** A time relative to the trace start as wall-clock `HH:MM:SS.micro` (UTC) or `+S.micro`. */
export function formatTime(timeNs: number | undefined, startTimeNs?: bigint): string {
  if (timeNs === undefined) return '-';
  if (startTimeNs) {
    const abs = startTimeNs + BigInt(Math.trunc(timeNs));
    const ms = Number(abs / 1000000n);
    const micro = Number((abs / 1000n) % 1000000n);
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${String(micro).padStart(6, '0')}`;
  }
  return `+${(timeNs / 1e9).toFixed(6)}`;
}

/** A duration in ns as strace -T prints it: `<0.000123>`. */
export function formatDuration(ns: number | undefined): string {
  return ns === undefined ? '' : ` <${(ns / 1e9).toFixed(6)}>`;
}

/** The lines strace -k prints after an event for its stack, one ` > frame` each (none without one). */
export function formatStackLines(ev: TraceEvent): string[] {
  return stackOf(ev)?.map((f) => ` > ${f}`) ?? [];
}

/** One event as an strace-like line (without the trailing newline). */
export function formatEventLine(ev: TraceEvent, o: LineOptions = {}): string {
  const limit = o.stringLimit ?? DEFAULT_STRING_LIMIT;
  let prefix = '';
  if (o.pid !== false) prefix += o.tid !== false && ev.tid !== ev.pid ? `${ev.pid}/${ev.tid} ` : `${ev.pid} `;
  if (o.time !== false) prefix += `${formatTime(ev.timeNs, o.startTimeNs)} `;
  switch (ev.kind) {
    case 'call': {
      const flags: string[] = [];
      if (ev.flags & CallFlags.interrupted) flags.push('interrupted');
      if (ev.flags & CallFlags.noReturn && !(ev.flags & CallFlags.retvalUnknown)) flags.push('no return');
      const tail = flags.length ? ` [${flags.join(', ')}]` : '';
      return `${prefix}${formatCallBody(ev, limit)} ${formatResult(ev)}${o.duration ? formatDuration(ev.durationNs) : ''}${tail}`;
    }
    case 'start':
      return `${prefix}+++ ${ev.isThread ? 'thread' : 'process'} started${ev.isRoot ? ' (root)' : ` by ${ev.parentPid}`} +++`;
    case 'exec':
      return `${prefix}+++ exec ${JSON.stringify(ev.path)} [${ev.argv.map((a) => JSON.stringify(a)).join(', ')}] +++`;
    case 'signal':
      return `${prefix}--- ${ev.name || `signal ${ev.signo}`}${ev.info ? ` ${formatArg(ev.info, limit)}` : ''} ---`;
    case 'exit':
      if (ev.signal) return `${prefix}+++ killed by ${signalLabel(ev.signal)}${ev.coreDumped ? ' (core dumped)' : ''} +++`;
      return `${prefix}+++ ${ev.threadOnly ? 'thread ' : ''}exited with ${ev.status} +++`;
    case 'unparsed':
      // The program's own output, found inside a call's line, is shown quoted on one line.
      if (ev.reason === PROGRAM_OUTPUT) return `${prefix}>>> program output ${JSON.stringify(ev.text)} (${ev.source}:${ev.line})`;
      return `${prefix}??? ${ev.source}:${ev.line}: ${ev.text}`;
  }
}

import { signalName } from '../model/index.js';
function signalLabel(n: number): string {
  return signalName(n);
}

/** Header lines shared by info and dump's preamble. */
export function describeRun(h: TraceHeader): string {
  return `${h.backend} ${h.argv.map((a) => (/[\s"'\\$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`.trim();
}
