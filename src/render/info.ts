import type { TraceSummary } from './summary.js';
import { describeRun } from './strace.js';

function fmtNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e3).toFixed(1)} µs`;
}

/** The human-readable `info` report. */
export function renderInfoText(s: TraceSummary): string {
  const h = s.header;
  const out: string[] = [];
  const start = h.startTimeNs ? new Date(Number(h.startTimeNs / 1000000n)).toISOString() : '-';
  out.push(`file:       ${s.file} (${s.fileSize} bytes, format ${h.formatVersion}, written by picotrace ${h.writer || '?'})`);
  out.push(`run:        ${describeRun(h)}`);
  if (h.cwd) out.push(`cwd:        ${h.cwd}`);
  out.push(`recorded:   ${start}${h.hostname ? ` on ${h.hostname}` : ''}${h.hostKernel ? `, kernel ${h.hostKernel}` : ''}`);
  if (h.runtimeName) out.push(`runtime:    ${h.runtimeName} ${h.runtimeVersion}`.trimEnd());
  const opts = Object.entries(h.captureOptions);
  if (opts.length) out.push(`options:    ${opts.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (h.env.length) out.push(`env:        ${h.env.length} variables${h.env.some((e) => e.valueRemoved) ? ' (values removed)' : ''}`);
  if (h.scrubbed.length) out.push(`scrubbed:   ${h.scrubbed.join(', ')}`);
  for (const n of h.notes) out.push(`note:       ${n}`);
  out.push('');
  out.push(`events:     ${s.events} (${s.calls} calls, ${s.failedCalls} failed, ${s.unfinishedCalls} unfinished; ${s.lifecycle.start} starts, ${s.lifecycle.exec} execs, ${s.lifecycle.signal} signals, ${s.lifecycle.exit} exits${s.unparsed ? `; ${s.unparsed} unparsed lines` : ''})`);
  out.push(`processes:  ${s.processes.length} (${s.threads} threads)`);
  if (s.timeSpanNs) out.push(`time span:  ${fmtNs(s.timeSpanNs.last - s.timeSpanNs.first)}`);
  out.push(`chunks:     ${s.chunks}`);
  if (s.droppedEvents) out.push(`dropped:    ${s.droppedEvents} events reported lost by the source`);
  if (s.unknownMessages) out.push(`unknown:    ${s.unknownMessages} messages of unknown type skipped`);
  for (const [k, v] of Object.entries(s.endNotes)) {
    // A note of several lines (strace's summary table) goes below its name, indented.
    if (v.includes('\n')) out.push(`${k}:`, ...v.split('\n').map((l) => `            ${l}`));
    else out.push(`${`${k}:`.padEnd(11)} ${v}`);
  }
  const i = s.integrity;
  if (!i.damage && i.badChunks.length === 0) out.push('integrity:  ok (footer present, every chunk checksum verified)');
  else {
    out.push(`integrity:  DAMAGED: ${i.recoveredEvents} events recovered`);
    if (i.damage) out.push(`            ${i.damage.what} at offset ${i.damage.offset}`);
    for (const b of i.badChunks) out.push(`            ${b.what} at offset ${b.offset} (chunk skipped)`);
  }
  if (s.processes.length) {
    out.push('');
    out.push('processes:');
    for (const p of s.processes.slice(0, 50))
      out.push(`  ${String(p.pid).padStart(7)}  ${String(p.threads).padStart(3)} thr  ${(p.exit ?? 'running at end').padEnd(22)}  ${p.argv.join(' ')}`);
    if (s.processes.length > 50) out.push(`  ... ${s.processes.length - 50} more`);
  }
  if (s.perCall.length) {
    out.push('');
    out.push('calls:        count   errors  name');
    for (const c of s.perCall) out.push(`  ${String(c.count).padStart(15)} ${String(c.errors || '').padStart(8)}  ${c.name}`);
  }
  if (s.perErrno.length) {
    out.push('');
    out.push('errors:       count  errno');
    for (const e of s.perErrno) out.push(`  ${String(e.count).padStart(15)}  ${e.errno}`);
  }
  return `${out.join('\n')}\n`;
}
