import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordNative } from '../../../src/capture/native/index.js';
import { launcherStartNs } from '../../../src/capture/native/record.js';
import { TraceReader } from '../../../src/format/index.js';
import { CallFlags, type CallEvent, type TraceEvent } from '../../../src/model/index.js';
import { tempDir } from '../../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

function readAll(file: string): { header: TraceReader['header']; events: TraceEvent[]; complete: boolean } {
  const r = TraceReader.open(file);
  try {
    return { header: r.header, events: [...r.events()], complete: r.integrity.damage === undefined };
  } finally {
    r.close();
  }
}
const calls = (evs: TraceEvent[]) => evs.filter((e): e is CallEvent => e.kind === 'call');

/** Per-call counts from `strace -f -c` (which counts calls that returned). */
function straceCounts(argv: string[], cwd: string): Map<string, { calls: number; errors: number }> {
  const out = path.join(cwd, 'strace-c.txt');
  const r = spawnSync('strace', ['-f', '-c', '-o', out, '--', ...argv], { cwd, stdio: 'ignore' });
  expect(r.status).toBe(0);
  const m = new Map<string, { calls: number; errors: number }>();
  for (const line of fs.readFileSync(out, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !/^\d+\.\d+$/.test(f[0]) || f.at(-1) === 'total') continue;
    const name = f.at(-1)!;
    const nums = f.slice(3, -1).map(Number);
    m.set(name, { calls: nums[0], errors: nums[1] ?? 0 });
  }
  return m;
}

describe.skipIf(!hasStrace)('native recording (needs strace: CI installs it)', () => {
  let dir: string;
  let cleanup: () => void;
  const rec = (argv: string[], extra: { bufferSize?: number; env?: boolean } = {}) => {
    const output = path.join(dir, `t${Math.random().toString(36).slice(2)}.ptrace`);
    return recordNative({ argv, output, bufferSize: extra.bufferSize ?? 256, env: !!extra.env, cwd: dir }).then((r) => ({ ...r, output, ...readAll(output) }));
  };
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('records a fork and exec tree with fd paths, pipes and a complete header', async () => {
    const r = await rec(['sh', '-c', 'ls / | wc -l > /dev/null']);
    expect(r.exitCode).toBe(0);
    expect(r.complete).toBe(true);
    expect(r.header).toMatchObject({ backend: 'native', runtimeName: 'linux', runtimeVersion: os.release(), argv: ['sh', '-c', 'ls / | wc -l > /dev/null'], cwd: dir });
    expect(r.header.notes.join(' ')).toMatch(/strace 6\./);
    expect(r.header.captureOptions.straceFlags).toMatch(/-f .*-yy -s 256/);
    const starts = r.events.filter((e) => e.kind === 'start');
    expect(starts).toHaveLength(3);
    expect(r.events.filter((e) => e.kind === 'exec').map((e) => (e.kind === 'exec' ? path.basename(e.path) : '')).sort()).toEqual(['ls', 'sh', 'wc']);
    const pipe = calls(r.events).find((c) => c.name === 'pipe2')!;
    expect(JSON.stringify(pipe.args[0])).toMatch(/pipe:\[\d+\]/);
    const open = calls(r.events).find((c) => c.name === 'openat' && c.errno === 0)!;
    expect(open.args[0]).toMatchObject({ k: 'fd', fd: -100, path: dir });
    expect(r.events.every((e) => e.timeNs === undefined || e.timeNs >= 0)).toBe(true);
    expect(calls(r.events).every((c) => c.durationNs !== undefined || c.flags & CallFlags.retvalUnknown)).toBe(true);
    expect(fs.statSync(r.output).mode & 0o777).toBe(0o600);
  });

  it('records as many calls of each kind as strace -f -c counts for the same command', async () => {
    const argv = ['sh', '-c', '/bin/true; ls / > /dev/null; cat /etc/hostname > /dev/null'];
    const want = straceCounts(argv, dir);
    const r = await rec(argv);
    const got = new Map<string, { calls: number; errors: number }>();
    for (const c of calls(r.events)) {
      if (c.flags & CallFlags.retvalUnknown) continue;
      const g = got.get(c.name) ?? { calls: 0, errors: 0 };
      g.calls++;
      if (c.errno) g.errors++;
      got.set(c.name, g);
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  });

  it('records every thread of a multi-threaded program under its process', async () => {
    const script = 'import threading\nts=[threading.Thread(target=lambda: open("/dev/null").close()) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n';
    const r = await rec(['/usr/bin/python3', '-c', script]);
    expect(r.exitCode).toBe(0);
    const threads = r.events.filter((e) => e.kind === 'start' && e.isThread);
    expect(threads).toHaveLength(4);
    const root = r.events.find((e) => e.kind === 'start' && e.isRoot)!;
    for (const t of threads) expect(t.pid).toBe(root.pid);
    const opens = calls(r.events).filter((c) => c.name === 'openat' && c.retAnnotation === '/dev/null');
    expect(new Set(opens.map((c) => c.tid)).size).toBe(4);
    expect(calls(r.events).some((c) => c.flags & CallFlags.unfinished)).toBe(false);
  });

  it('keeps --buffer-size bytes of data and the full length', async () => {
    fs.writeFileSync(path.join(dir, 'data.bin'), Buffer.alloc(10000, 0x61));
    const r = await rec(['/bin/busybox', 'dd', 'if=data.bin', 'of=copy.bin', 'bs=4096'], { bufferSize: 100 });
    const writes = calls(r.events).filter((c) => c.name === 'write' && c.buffers.length);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes[0].buffers[0]).toMatchObject({ out: false, truncated: true, fullLength: Number(writes[0].retval) });
    expect(writes[0].buffers[0].data.length).toBe(100);
  }, 60_000);

  it('stores the environment only with env', async () => {
    const without = await rec(['/bin/true']);
    const withEnv = await rec(['/bin/true'], { env: true });
    const execOf = (evs: TraceEvent[]) => evs.find((e) => e.kind === 'exec');
    expect(without.header.env).toEqual([]);
    expect(execOf(without.events)).toMatchObject({ env: [] });
    expect(withEnv.header.env.some((e) => e.name === 'PATH')).toBe(true);
    const ex = execOf(withEnv.events);
    expect(ex && ex.kind === 'exec' && ex.env.some((e) => e.name === 'PATH')).toBe(true);
  });

  it('returns 128+N for a program killed by signal N and still writes a complete trace', async () => {
    const r = await rec(['sh', '-c', 'kill -SEGV $$']);
    expect(r.exitCode).toBe(139);
    expect(r.complete).toBe(true);
    expect(r.events.at(-1)).toMatchObject({ kind: 'exit', signal: 11 });
  });

  it('refuses a command that does not exist', async () => {
    await expect(rec(['no-such-command-xyz'])).rejects.toThrow(/no-such-command-xyz: command not found/);
  });
});

describe('the start time of a recording the launcher started without date', () => {
  it('is read from /proc as a bound no later than the truth and at most 20 ms before it', () => {
    // Started 1234.56 s after boot (123456 ticks); the boot clock now reads 1240.00 s, at most
    // 10 ms behind, and the wall clock read just before it 1_700_000_000_000.25 ms.
    const stat = '4242 (sh) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 2000000 200';
    const got = launcherStartNs(stat, () => '1240.00 2400.00\n', () => 1_700_000_000_000.25);
    const now = 1_700_000_000_000_250_000n;
    const bootNow = 1_240_000_000_000n;
    // The truth lies between these, whatever fraction of a tick or of a hundredth the two readings lost.
    const latest = now - (bootNow - 1_234_560_000_000n - 10_000_000n);
    const earliest = now - (bootNow + 10_000_000n - 1_234_560_000_000n);
    expect(got).toBe(earliest);
    expect(got).toBeLessThanOrEqual(latest);
    expect(latest - got).toBe(20_000_000n);
  });

  it('puts this process start before the time Node took as its origin, and not long before', () => {
    const got = launcherStartNs();
    const origin = BigInt(Math.floor(performance.timeOrigin * 1000)) * 1000n;
    expect(got).toBeLessThanOrEqual(origin);
    expect(origin - got).toBeLessThan(10_000_000_000n);
  });

  it('refuses what is not /proc/self/stat or /proc/uptime', () => {
    expect(() => launcherStartNs('4242 (sh) S 1', () => '1.00 2.00\n')).toThrow('/proc/self/stat or /proc/uptime');
    expect(() => launcherStartNs('4242 (sh) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 2', () => 'x')).toThrow('/proc/self/stat or /proc/uptime');
  });
});
