// Realistic event streams for benchmarks: a real program tree is traced once with strace (the
// native recorder's flags), imported, and its events are cycled to any length with times
// shifted forward, so names, argument shapes and buffer sizes are those of a real recording.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Benchmark scratch directory (gitignored). */
export const OUT = path.join(here, '..', 'out');

/** The workload whose calls are the template: file-heavy tar plus a Python start-up. */
export const TEMPLATE_WORKLOAD = "tar cf - /usr/share/doc | cat >/dev/null; /usr/bin/python3 -c 'import json, email, http.client'";

/** Traces the template workload under strace and imports it; returns the template trace path and the log path. */
export async function templateTrace() {
  fs.mkdirSync(OUT, { recursive: true });
  const log = path.join(OUT, 'template.strace.log');
  const trace = path.join(OUT, 'template.ptrace');
  if (!fs.existsSync(trace)) {
    const r = spawnSync('strace', ['-f', '-q', '--absolute-timestamps=unix,ns', '--syscall-times=ns', '-yy', '-s', '256', '-o', log, 'sh', '-c', TEMPLATE_WORKLOAD], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`strace failed (${r.status}): is strace installed?`);
    const { importLogs } = await import('../../dist/import/index.js');
    importLogs({ inputs: [log], output: trace, format: 'strace' });
  }
  return { trace, log };
}

/** Loads the template's events into memory (they are a few tens of thousands). */
export async function templateEvents() {
  const { TraceReader } = await import('../../dist/format/index.js');
  const { trace } = await templateTrace();
  const r = TraceReader.open(trace);
  const evs = [];
  for (const ev of r.events()) evs.push(ev.kind === 'call' ? { ...ev, args: ev.args, buffers: ev.buffers } : { ...ev });
  const header = r.header;
  r.close();
  return { events: evs, header };
}

/** Writes a trace of `n` events by cycling the template, returns its path (cached by name). */
export async function realisticTrace(n, name = `realistic-${n}.ptrace`, writerOptions = {}) {
  const file = path.join(OUT, name);
  if (fs.existsSync(file) && !writerOptions.force) return file;
  const { TraceWriter } = await import('../../dist/format/index.js');
  const { events, header } = await templateEvents();
  const span = Math.max(1, ...events.map((e) => e.timeNs ?? 0)) + 1000;
  const w = TraceWriter.create(file, header, writerOptions);
  for (let i = 0, cycle = 0; i < n; cycle++) {
    const shift = cycle * span;
    for (const ev of events) {
      if (i++ >= n) break;
      w.append(ev.timeNs === undefined ? ev : { ...ev, timeNs: ev.timeNs + shift });
    }
  }
  w.close();
  return file;
}

/** Peak resident set size of this process in bytes (VmHWM). */
export function peakRss() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}
