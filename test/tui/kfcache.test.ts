import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReader, TraceWriter } from '../../src/format/index.js';
import type { NewEvent, TraceEvent } from '../../src/model/index.js';
import { emptyState, reduce, snapshot, StateIndex, type KernelState } from '../../src/state/index.js';
import { keyframeCache } from '../../src/tui/index.js';
import { BIN, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { rng } from '../helpers/events.js';

const tmp = tempDir('picotrace-kfcache-');
afterAll(() => tmp.cleanup());

const TEMPLATE = path.join(ROOT, 'traces', 'replay', 'python-threads.ptrace');

/** Writes `n` events cycling the template's, each cycle a fresh process tree (pids shifted). */
function cycled(file: string, n: number, chunkEvents = 4096): TraceEvent[] {
  const r = TraceReader.open(TEMPLATE);
  // Plain copies: a read call's fields are getters over its stored bytes, which a spread would not copy.
  const events = [...r.events()].map((e) =>
    e.kind === 'call'
      ? { kind: 'call' as const, pid: e.pid, tid: e.tid, timeNs: e.timeNs, name: e.name, sysno: e.sysno, rawArgs: e.rawArgs, args: e.args, retval: e.retval, errno: e.errno, durationNs: e.durationNs, flags: e.flags, retAnnotation: e.retAnnotation, buffers: e.buffers, arch: e.arch }
      : { ...e },
  );
  const w = TraceWriter.create(file, r.header, { chunkEvents });
  r.close();
  for (let i = 0, cycle = 0; i < n; cycle++) {
    const dp = (cycle % 300) * 1000;
    for (const ev of events) {
      if (i++ >= n) break;
      const e = { ...ev, pid: ev.pid + dp, tid: ev.tid + dp } as NewEvent & { seq?: number };
      if (e.kind === 'start' && !e.isRoot) e.parentPid += dp;
      if (e.kind === 'exec') e.oldPid += dp;
      if (e.kind === 'call' && ['clone', 'clone3', 'fork', 'vfork'].includes(e.name) && typeof e.retval === 'number' && e.retval > 0) e.retval += dp;
      delete e.seq;
      w.append(e);
    }
  }
  w.close();
  const back = TraceReader.open(file);
  const all = [...back.events()];
  back.close();
  return all;
}

function fromScratch(events: TraceEvent[], n: number, cwd: string): KernelState {
  let s = emptyState(cwd);
  for (let i = 0; i < n; i++) s = reduce(s, events[i]);
  return s;
}

describe('keyframe cache', () => {
  const trace = path.join(tmp.dir, 'small.ptrace');
  const all = cycled(trace, 3000, 97);
  const dir = path.join(tmp.dir, 'cache');

  it('keeps the keyframes of a complete pass and gives a later open the same states at once', () => {
    const r1 = TraceReader.open(trace);
    const s1 = new StateIndex(r1, { interval: 64, cwd: r1.header.cwd });
    const c1 = keyframeCache(r1, { dir, minEvents: 0 })!;
    expect(c1.load(s1)).toBe(false);
    expect(c1.save(s1)).toBe(false); // the pass has not run: nothing to keep
    expect(fs.existsSync(c1.file)).toBe(false);
    while (!s1.complete) s1.advance(500);
    expect(c1.save(s1)).toBe(true);
    expect(fs.statSync(c1.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    r1.close();

    const r2 = TraceReader.open(trace);
    const s2 = new StateIndex(r2, { interval: 4096, cwd: r2.header.cwd });
    const c2 = keyframeCache(r2, { dir, minEvents: 0 })!;
    expect(c2.file).toBe(c1.file);
    expect(c2.load(s2)).toBe(true);
    expect(s2.complete).toBe(true);
    expect(s2.keyframeInterval).toBe(64);
    const rand = rng(99);
    for (let k = 0; k < 25; k++) {
      const n = k === 0 ? all.length : Math.floor(rand() * (all.length + 1));
      expect(s2.distance(n)).toBeLessThan(64 + 1);
      expect(snapshot(s2.stateBefore(n)), `state before #${n}`).toEqual(snapshot(fromScratch(all, n, r2.header.cwd)));
    }
    r2.close();
  });

  it('is not used for a damaged cache file, nor once the trace has been rewritten', () => {
    const r = TraceReader.open(trace);
    const c = keyframeCache(r, { dir, minEvents: 0 })!;
    const good = fs.readFileSync(c.file);
    const bad = Buffer.from(good);
    bad[bad.length >> 1] ^= 0x40;
    fs.writeFileSync(c.file, bad);
    const s = new StateIndex(r, { cwd: r.header.cwd });
    expect(c.load(s)).toBe(false);
    expect(s.complete).toBe(false);
    fs.writeFileSync(c.file, good.subarray(0, good.length - 9));
    expect(c.load(s)).toBe(false);
    fs.writeFileSync(c.file, good);
    expect(c.load(new StateIndex(r, { cwd: r.header.cwd }))).toBe(true);
    r.close();

    // The same events written again in other chunks: another file, whose cache is another one.
    cycled(trace, 3000, 101);
    const r2 = TraceReader.open(trace);
    const c2 = keyframeCache(r2, { dir, minEvents: 0 })!;
    expect(c2.file).not.toBe(c.file);
    expect(c2.load(new StateIndex(r2, { cwd: r2.header.cwd }))).toBe(false);
    r2.close();
  });

  it('leaves out small traces and traces without their footer', () => {
    const r = TraceReader.open(trace);
    expect(keyframeCache(r, { dir })).toBeUndefined();
    r.close();
    const cut = path.join(tmp.dir, 'cut.ptrace');
    const b = fs.readFileSync(trace);
    fs.writeFileSync(cut, b.subarray(0, b.length - 200));
    const rc = TraceReader.open(cut);
    expect(rc.integrity.footer).toBe(false);
    expect(keyframeCache(rc, { dir, minEvents: 0 })).toBeUndefined();
    rc.close();
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `picotrace-kfcache-${process.pid}`;
afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!hasTmux)('picotrace replay keeps the keyframes of a trace it has indexed (tmux)', () => {
  it('writes the cache when the pass ends; a later replay uses it and shows the same state; --no-cache does neither', async () => {
    const big = path.join(tmp.dir, 'big.ptrace');
    cycled(big, 210_000);
    const cache = path.join(tmp.dir, 'replay-cache');
    const env = { ...process.env, PICOTRACE_CACHE_DIR: cache };
    const tmux = (...a: string[]) => execFileSync('tmux', ['-L', SOCKET, ...a], { encoding: 'utf8' });
    tmux('new-session', '-d', '-s', 'kf', '-x', '80', '-y', '24', `PICOTRACE_CACHE_DIR=${cache} TERM=xterm-256color ${process.execPath} ${BIN} replay ${big}; sleep 60`);
    const end = Date.now() + 120_000;
    let files: string[] = [];
    while (Date.now() < end) {
      files = fs.existsSync(cache) ? fs.readdirSync(cache).filter((f) => f.endsWith('.keyframes')) : [];
      if (files.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(files.length, tmux('capture-pane', '-p', '-t', 'kf')).toBe(1);
    tmux('send-keys', '-t', 'kf', 'q');
    const file = path.join(cache, files[0]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const script = 'goto 205000; state';
    fs.utimesSync(file, new Date(0), new Date(0));
    const off = runCli(['replay', big, '--no-cache', '--script', script], { env });
    expect(off.code, off.stderr).toBe(0);
    expect(fs.statSync(file).mtimeMs).toBe(0);
    const on = runCli(['replay', big, '--script', script], { env });
    expect(on.code, on.stderr).toBe(0);
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(0); // read, and marked as used
    expect(on.stdout).toBe(off.stdout);
    expect(on.stdout).toMatch(/fds \(\d+\):/);
  }, 180_000);
});
