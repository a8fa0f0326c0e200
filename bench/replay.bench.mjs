// Replay benchmark: on a trace of 10M events (1M with --quick) made by cycling the events of a real
// recording (traces/replay/python-threads.ptrace, with pids shifted per cycle so that every cycle is
// a fresh process tree), measures what a person at `picotrace replay` waits for:
//   - start to first full screen: the real CLI as a subprocess (node start-up included) printing the
//     list, detail, state and status panes, and the same work in-process;
//   - the background state pass (events folded per second) that makes far jumps cheap;
//   - a jump to a random event with its list window, detail and state pane (after the pass);
//   - one step forward and one back with all panes (after the idle-time prefetch of neighbour chunks
//     that the screen does between keys);
//   - peak RSS of a process doing all of the above, on 1M and 10M events (it should not grow with size),
//     run with the node flags of bin/picotrace.js (what a user's `picotrace` runs with), and with the
//     old generation also capped at 128 MB;
//   - peak RSS of the real thing: `picotrace replay FILE` in a terminal (tmux, 80x24) until the background
//     state pass has finished, with jumps and steps on the way (skipped without tmux);
//   - the same trace opened again, its keyframes now in the cache: `replay --script 'goto N; state'`
//     for an event near the end, against the same with --no-cache (a fold from the start).
// Targets (issue): first screen < 500 ms, jump < 50 ms, step < 16 ms, peak RSS < 200 MB.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const OUT = path.join(here, 'out');
const TEMPLATE = path.join(root, 'traces', 'replay', 'python-threads.ptrace');
const quick = process.argv.includes('--quick');
const child = process.argv.indexOf('--measure');

const { TraceReader, TraceWriter } = await import('../dist/format/index.js');

const BIN = path.join(root, 'bin', 'picotrace.js');
/** A keyframe cache of the benchmark's own, emptied before each trace size (docs/replay.md). */
const CACHE = path.join(OUT, 'kfcache');
process.env.PICOTRACE_CACHE_DIR = CACHE;
/** The node flags on bin/picotrace.js's `#!` line: the measuring process runs with the same heap sizing as the CLI. */
const CLI_FLAGS = /^#!.*\bnode\b(.*)$/m.exec(fs.readFileSync(BIN, 'utf8'))?.[1].trim().split(/\s+/).filter(Boolean) ?? [];

/** Random jumps made by the measuring process after the pass (each followed by a step forward and back). */
const JUMPS = 100;

const CLONES = new Set(['clone', 'clone3', 'fork', 'vfork', 'wait4']);

/** Writes `n` events cycling the template's events, pids shifted by 1000 per cycle (cached by name). */
function makeTrace(n) {
  const file = path.join(OUT, `replay-${n}.ptrace`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(OUT, { recursive: true });
  const r = TraceReader.open(TEMPLATE);
  const events = [...r.events()].map((e) =>
    e.kind === 'call'
      ? { kind: 'call', pid: e.pid, tid: e.tid, timeNs: e.timeNs, name: e.name, sysno: e.sysno, rawArgs: e.rawArgs, args: e.args, retval: e.retval, errno: e.errno, durationNs: e.durationNs, flags: e.flags, retAnnotation: e.retAnnotation, buffers: e.buffers, arch: e.arch }
      : { ...e },
  );
  const span = Math.max(...events.map((e) => e.timeNs ?? 0)) + 1000;
  const w = TraceWriter.create(`${file}.tmp`, r.header);
  r.close();
  const t = performance.now();
  for (let i = 0, cycle = 0; i < n; cycle++) {
    const dp = (cycle % 4000) * 1000;
    for (const ev of events) {
      if (i++ >= n) break;
      const e = { ...ev, pid: ev.pid + dp, tid: ev.tid + dp };
      if (ev.timeNs !== undefined) e.timeNs = ev.timeNs + cycle * span;
      if (e.kind === 'start' && !e.isRoot) e.parentPid += dp;
      if (e.kind === 'exec') e.oldPid += dp;
      if (e.kind === 'call' && CLONES.has(e.name) && typeof e.retval === 'number' && e.retval > 0) e.retval += dp;
      delete e.seq;
      w.append(e);
    }
  }
  w.close();
  fs.renameSync(`${file}.tmp`, file);
  console.log(`  generated ${n.toLocaleString('en-US')} events in ${((performance.now() - t) / 1000).toFixed(1)} s: ${file}`);
  return file;
}

function peakRss() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return Number(m[1]) * 1024;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Peak RSS of `picotrace replay FILE` run as a user runs it (the bin script through its `#!` line) in a
 * tmux terminal of 80x24: jumps and steps while the background state pass runs, then waits for the pass
 * to finish and reads VmHWM before quitting. Undefined without tmux.
 */
async function terminalPeakRss(file, count) {
  if (spawnSync('tmux', ['-V']).status !== 0) return undefined;
  const sock = `picotrace-bench-${process.pid}`;
  const tmux = (...a) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
  const status = () => tmux('capture-pane', '-p', '-t', 'replay').split('\n')[23] ?? '';
  const waitFor = async (what, pred, ms) => {
    const end = Date.now() + ms;
    while (!pred(status())) {
      if (Date.now() > end) throw new Error(`replay in tmux: timed out waiting for ${what}; status line: ${status()}`);
      await sleep(100);
    }
  };
  try {
    tmux('new-session', '-d', '-s', 'replay', '-x', '80', '-y', '24', `TERM=xterm-256color exec ${BIN} replay ${file}`);
    const pid = Number(tmux('list-panes', '-t', 'replay', '-F', '#{pane_pid}').trim());
    await waitFor('the first screen', (l) => l.startsWith('#0/'), 30_000);
    let seed = 777;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const t0 = Date.now();
    for (let k = 0; k < 20; k++) {
      const n = Math.floor(rand() * count);
      tmux('send-keys', '-t', 'replay', '#', String(n), 'Enter', 'j', 'j', 'k');
      await waitFor(`the jump to #${n}`, (l) => l.startsWith(`#${n + 1}/`), 30_000);
      await sleep(500);
    }
    await waitFor('the end of the state pass', (l) => !/state index/.test(l), 20 * 60_000);
    const passS = (Date.now() - t0) / 1000;
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    tmux('send-keys', '-t', 'replay', 'q');
    return { peakRssMB: (Number(m[1]) * 1024) / 1e6, passS };
  } finally {
    spawnSync('tmux', ['-L', sock, 'kill-server']);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function p95(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

/** The measuring process: everything the screen does, without the terminal. */
async function measure(file) {
  const t0 = performance.now();
  const { Navigator, listWindow, detailLines, statePane, statusLine, runToEnd } = await import('../dist/tui/index.js');
  const { backgroundPass } = await import('../dist/util/heap.js');
  const loaded = performance.now();
  const reader = TraceReader.open(file);
  const nav = new Navigator(reader);
  const screen = () => {
    const ev = nav.current();
    const lines = listWindow(nav, nav.cursor, 10, 80).lines.length + detailLines(ev, reader.header).length + statePane(nav).length;
    statusLine(nav);
    return lines;
  };
  const idle = () => nav.prefetch();
  screen();
  const first = performance.now();
  const res = { events: reader.eventCount, importMs: loaded - t0, firstScreenMs: first - loaded };
  const tp = performance.now();
  backgroundPass(true); // as the screen does around its slices of the pass
  while (!nav.states.complete) nav.states.advance(65536);
  backgroundPass(false);
  res.passMs = performance.now() - tp;
  res.keyframes = nav.states.keyframeCount().sparse;
  res.interval = nav.states.keyframeInterval;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const jumps = [];
  const steps = [];
  const backs = [];
  for (let k = 0; k < JUMPS; k++) {
    const n = Math.floor(rand() * reader.eventCount);
    let t = performance.now();
    runToEnd(nav.goto(n));
    screen();
    jumps.push(performance.now() - t);
    idle();
    t = performance.now();
    runToEnd(nav.step(1));
    screen();
    steps.push(performance.now() - t);
    idle();
    t = performance.now();
    runToEnd(nav.step(-1));
    screen();
    backs.push(performance.now() - t);
  }
  res.jump = { median: median(jumps), p95: p95(jumps), max: Math.max(...jumps) };
  res.step = { median: median(steps), p95: p95(steps), max: Math.max(...steps) };
  res.back = { median: median(backs), p95: p95(backs), max: Math.max(...backs) };
  global.gc?.();
  res.heapMB = process.memoryUsage().heapUsed / 1e6;
  res.peakRssMB = peakRss() / 1e6;
  reader.close();
  process.stdout.write(JSON.stringify(res));
}

if (child > 0) {
  await measure(process.argv[child + 1]);
} else {
  const sizes = quick ? [1_000_000] : [1_000_000, 10_000_000];
  const ms = (x) => `${x.toFixed(1)} ms`;
  for (const n of sizes) {
    const file = makeTrace(n);
    fs.rmSync(CACHE, { recursive: true, force: true });
    const cli = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = spawnSync(BIN, ['replay', file, '--script', 'list 10; detail; state; status'], { encoding: 'utf8' });
      cli.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`replay failed: ${r.stderr}`);
    }
    const run = (flags) => {
      const r = spawnSync(process.execPath, ['--expose-gc', ...CLI_FLAGS, ...flags, fileURLToPath(import.meta.url), '--measure', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout);
    };
    const m = run([]);
    const capped = run(['--max-old-space-size=128']);
    const term = await terminalPeakRss(file, m.events);
    // Opened again: the terminal run above kept the keyframes when its pass ended.
    const far = Math.floor(m.events * 0.9);
    const reopen = (extra) => {
      const t = performance.now();
      const r = spawnSync(BIN, ['replay', file, ...extra, '--script', `goto ${far}; state`], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`replay failed: ${r.stderr}`);
      return { ms: performance.now() - t, out: r.stdout };
    };
    const cachedFiles = fs.existsSync(CACHE) ? fs.readdirSync(CACHE).map((f) => fs.statSync(path.join(CACHE, f)).size) : [];
    const warm = term && cachedFiles.length ? [0, 1, 2, 3, 4].map(() => reopen([])) : undefined;
    const cold = warm ? reopen(['--no-cache']) : undefined;
    if (warm && cold && warm[0].out !== cold.out) throw new Error('the state from cached keyframes differs from a fold from the start');
    console.log(`\n${n.toLocaleString('en-US')} events (${(fs.statSync(file).size / 1e6).toFixed(0)} MB):`);
    console.log(`  first full screen, CLI subprocess (start to exit, node start-up included): median ${ms(median(cli))}  [target < 500 ms]`);
    console.log(`  first full screen, in-process: ${ms(m.firstScreenMs)} after ${ms(m.importMs)} of module loading`);
    console.log(`  background state pass: ${(m.passMs / 1000).toFixed(1)} s, ${Math.round(m.events / (m.passMs / 1000)).toLocaleString('en-US')} events/s; ${m.keyframes} keyframes every ${m.interval} events`);
    console.log(`  jump to a random event + all panes (${JUMPS} jumps): median ${ms(m.jump.median)}, p95 ${ms(m.jump.p95)}, max ${ms(m.jump.max)}  [target < 50 ms]`);
    console.log(`  one step forward + all panes: median ${ms(m.step.median)}, p95 ${ms(m.step.p95)}; back: median ${ms(m.back.median)}, p95 ${ms(m.back.p95)}  [target < 16 ms]`);
    console.log(`  peak RSS ${m.peakRssMB.toFixed(0)} MB, live heap after GC ${m.heapMB.toFixed(0)} MB (node ${CLI_FLAGS.join(' ')})  [target < 200 MB]`);
    console.log(`  with --max-old-space-size=128 too: peak RSS ${capped.peakRssMB.toFixed(0)} MB; pass ${(capped.passMs / 1000).toFixed(1)} s, jump median ${ms(capped.jump.median)}, step median ${ms(capped.step.median)}`);
    if (term) console.log(`  \`picotrace replay\` in a terminal (tmux 80x24, 20 jumps, pass to the end in ${term.passS.toFixed(0)} s): peak RSS ${term.peakRssMB.toFixed(0)} MB  [target < 200 MB]`);
    else console.log('  (no tmux: the terminal measurement is skipped)');
    if (warm && cold)
      console.log(`  opened again, keyframes cached (${(cachedFiles[0] / 1e6).toFixed(1)} MB): \`replay --script 'goto ${far}; state'\` median ${ms(median(warm.map((w) => w.ms)))}, against ${ms(cold.ms)} with --no-cache (same output)`);
    console.log(`  (load average during the run: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${os.cpus().length} cores)`);
  }
}
