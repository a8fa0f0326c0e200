import type { CallBuffer, TraceEvent, TraceHeader } from '../model/index.js';
import { CallFlags, errnoName, errnoText, signalName, stackOf } from '../model/index.js';
import { formatArg, formatEventLine, formatResult, formatTime } from '../render/index.js';
import { callName, processTree, viewProc, type KernelState, type Region } from '../state/index.js';
import { describeBreakpoint } from './match.js';
import type { Navigator } from './navigator.js';
import { collect } from './scan.js';

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function rawHex(v: number | bigint): string {
  const b = BigInt.asUintN(64, BigInt(v));
  return `0x${b.toString(16)}`;
}

/** A hex and text dump of `data`, 16 bytes a line, at most `limit` bytes. */
export function hexDump(data: Uint8Array, limit = 256): string[] {
  const out: string[] = [];
  const n = Math.min(data.length, limit);
  for (let off = 0; off < n; off += 16) {
    const row = data.subarray(off, Math.min(n, off + 16));
    const hx = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const tx = [...row].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    out.push(`  ${off.toString(16).padStart(4, '0')}  ${hx.padEnd(47)}  ${tx}`);
  }
  if (data.length > n) out.push(`  ... ${data.length - n} more bytes`);
  return out;
}

function bufferLines(b: CallBuffer, limit: number): string[] {
  const size = b.fullLength || b.data.length;
  const head = `buffer arg${b.argIndex}${b.element >= 0 ? `[${b.element}]` : ''} ${b.out ? 'out' : 'in'}, ${size} bytes${b.truncated ? ` (${b.data.length} kept)` : ''}${b.digest ? ' (scrubbed)' : ''}`;
  return [head, ...hexDump(b.data, limit)];
}

const FLAG_NAMES: [number, string][] = [
  [CallFlags.unfinished, 'unfinished'],
  [CallFlags.interrupted, 'interrupted'],
  [CallFlags.noReturn, 'no return'],
  [CallFlags.retvalUnknown, 'return value unknown'],
  [CallFlags.vdso, 'vdso'],
];

/** The detail pane: every argument decoded and raw, the result with errno name and meaning, duration, buffers as hex and text. */
export function detailLines(ev: TraceEvent, header: TraceHeader, bufferLimit = 256): string[] {
  const out: string[] = [];
  const time = ev.timeNs === undefined ? 'time unknown' : `time ${formatTime(ev.timeNs)}s (${formatTime(ev.timeNs, header.startTimeNs)})`;
  if (ev.kind !== 'call') {
    out.push(`#${ev.seq} ${ev.kind}  pid ${ev.pid}  tid ${ev.tid}`, time, formatEventLine(ev, { time: false, pid: false, stringLimit: 1024 }));
    if (ev.kind === 'exec') out.push(`path ${ev.path}`, `argv ${JSON.stringify(ev.argv)}`, `env ${ev.env.length} variables`);
    if (ev.kind === 'signal') out.push(`signal ${ev.signo} ${signalName(ev.signo)}`);
    if (ev.kind === 'exit') out.push(ev.signal ? `killed by ${signalName(ev.signal)}${ev.coreDumped ? ' (core dumped)' : ''}` : `status ${ev.status}${ev.threadOnly ? ' (thread only)' : ''}`);
    const stack = stackOf(ev);
    if (stack) out.push(...stackLines(stack));
    return out;
  }
  const name = callName(ev);
  out.push(`#${ev.seq} ${name}${ev.sysno >= 0 ? ` (syscall ${ev.sysno})` : ''}  pid ${ev.pid}  tid ${ev.tid}${ev.arch ? `  ${ev.arch}` : ''}`);
  out.push(`${time}${ev.durationNs !== undefined ? `  duration ${(ev.durationNs / 1e9).toFixed(6)}s` : ''}`);
  const n = Math.max(ev.args.length, ev.rawArgs.length);
  for (let i = 0; i < n; i++) {
    const dec = ev.args[i] ? formatArg(ev.args[i], 128, ev.buffers) : '(not decoded)';
    const raw = ev.rawArgs[i] !== undefined ? `  raw ${rawHex(ev.rawArgs[i])}` : '';
    out.push(`arg${i}  ${dec}${raw}`);
  }
  out.push(`result ${formatResult(ev).replace(/^= /, '')}`);
  if (ev.errno) out.push(`errno ${errnoName(ev.errno)} (${ev.errno}): ${errnoText(ev.errno) || 'unknown error'}`);
  else if (!(ev.flags & CallFlags.retvalUnknown)) out.push(`retval ${String(ev.retval)} (${rawHex(ev.retval)})`);
  const flags = FLAG_NAMES.filter(([b]) => ev.flags & b).map(([, s]) => s);
  if (flags.length) out.push(`flags ${flags.join(', ')}`);
  const stack = stackOf(ev);
  if (stack) out.push(...stackLines(stack));
  for (const b of ev.buffers) out.push(...bufferLines(b, bufferLimit));
  return out;
}

/** A user-space stack (strace -k), innermost frame first. */
function stackLines(stack: string[]): string[] {
  return [`stack (${stack.length} frames, innermost first):`, ...stack.map((f) => `  > ${f}`)];
}

/** A command line for one-line display: newlines escaped, words with blanks quoted. */
export function showArgv(argv: readonly string[]): string {
  return argv.map((a) => (/[\s"'\\]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ');
}

function protString(r: Region): string {
  return `${r.prot & 1 ? 'r' : '-'}${r.prot & 2 ? 'w' : '-'}${r.prot & 4 ? 'x' : '-'}${r.shared ? 's' : 'p'}`;
}

/** The state pane for process `pid`: process, cwd, fd table, memory map, signal dispositions, process tree. */
export function stateLines(s: KernelState, pid: number, label: string): string[] {
  const out: string[] = [`state ${label}`];
  const v = viewProc(s, pid);
  if (!v) out.push(`process ${pid}: not known yet`);
  else {
    out.push(`process ${v.pid}${v.ppid ? ` (parent ${v.ppid})` : ''}${v.inferred ? ' (first seen mid-trace)' : ''}  threads ${v.threads.join(',') || '-'}`);
    if (v.exe || v.argv.length) out.push(`  exe ${v.exe || '?'}  argv ${v.exit ? v.argv.join(' ') : showArgv(v.argv)}`);
    if (v.exit) out.push(v.exit.signal ? `  killed by ${signalName(v.exit.signal)} at #${v.exit.seq}` : `  exited with status ${v.exit.status} at #${v.exit.seq}`);
    out.push(`  cwd ${v.cwd || '?'}`);
    out.push(`fds (${v.fds.length})${v.sharesFdsWith.length ? ` shared with ${v.sharesFdsWith.join(',')}` : ''}:`);
    for (const f of v.fds) {
      const fl = [f.cloexec ? 'cloexec' : '', f.append ? 'append' : ''].filter(Boolean).join(',');
      out.push(`  ${String(f.fd).padStart(3)} ${(f.mode || '?').padEnd(4)} ${f.kind.padEnd(9)} ${f.path || '?'}${fl ? `  ${fl}` : ''}`);
    }
    out.push(`memory (${v.regions.length} regions)${v.sharesMemoryWith.length ? ` shared with ${v.sharesMemoryWith.join(',')}` : ''}${v.brk ? `  brk ${hex(v.brk.end)}` : ''}:`);
    for (const r of v.regions) out.push(`  ${hex(r.start)}-${hex(r.end)} ${protString(r)} ${r.path}${r.offset && !r.path.startsWith('[') ? ` +${hex(r.offset)}` : ''}`);
    if (v.signals.length) out.push(`signals: ${v.signals.map((x) => `${signalName(x.signo)} ${x.disposition}`).join('; ')}`);
  }
  out.push('processes:');
  for (const t of processTree(s)) {
    const end = t.exit ? (t.exit.signal ? ` [killed by ${signalName(t.exit.signal)}]` : ` [exited ${t.exit.status}]`) : '';
    out.push(`  ${'  '.repeat(Math.min(t.depth, 8))}${t.pid}${t.threads > 1 ? ` (${t.threads} threads)` : ''} ${t.label.replace(/\n/g, '\\n')}${end}${t.pid === pid ? '  <' : ''}`);
  }
  return out;
}

/** The status line: position, time, pid/tid, filter, breakpoints, search, and (`indexing`) the background state pass's progress. */
export function statusLine(nav: Navigator, message = '', indexing = false): string {
  if (nav.count === 0) return `empty trace${message ? `  | ${message}` : ''}`;
  const ev = nav.current();
  const parts = [`#${ev.seq}/${nav.count - 1}`, ev.timeNs === undefined ? '' : formatTime(ev.timeNs), `pid ${ev.pid}${ev.tid !== ev.pid ? ` tid ${ev.tid}` : ''}`];
  if (nav.filterText) parts.push(`filter ${nav.filterText}`);
  if (nav.breakpoints.length) parts.push(`break ${nav.breakpoints.map(describeBreakpoint).join(',')}`);
  if (nav.searchPattern) parts.push(`/${nav.searchPattern}/`);
  const st = nav.states.progress();
  if (indexing && !nav.states.complete) parts.push(`state index ${Math.floor((100 * st.done) / Math.max(1, st.total))}%`);
  if (message) parts.push(`| ${message}`);
  return parts.filter(Boolean).join('  ');
}

/** The list line of one event. */
export function listLine(ev: TraceEvent, width: number): string {
  const line = `${String(ev.seq).padStart(7)} ${formatEventLine(ev, { time: false, stringLimit: 48 })}`;
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}>` : line;
}

/** The call list window: `height` visible events with the cursor inside, `top` kept stable when possible. */
export function listWindow(nav: Navigator, top: number, height: number, width: number): { lines: string[]; cursorRow: number; top: number } {
  const vis = (ev: TraceEvent) => nav.visible(ev);
  let t = Math.min(top, nav.cursor);
  let rows = collect(nav.reader, t, 1, height, vis);
  let idx = rows.findIndex((e) => e.seq === nav.cursor);
  if (idx < 0) {
    const above = collect(nav.reader, nav.cursor, -1, Math.max(1, height - 1), vis);
    t = above.length ? above[above.length - 1].seq : nav.cursor;
    rows = collect(nav.reader, t, 1, height, vis);
    idx = rows.findIndex((e) => e.seq === nav.cursor);
  }
  return { lines: rows.map((e) => listLine(e, width)), cursorRow: Math.max(0, idx), top: rows.length ? rows[0].seq : t };
}
