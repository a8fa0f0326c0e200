import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/format/index.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('picotrace-fault-');
afterAll(() => tmp.cleanup());

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function survivors(marker: string): string[] {
  const r = spawnSync('pgrep', ['-af', marker], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() && !l.includes('pgrep'));
}

async function waitGone(marker: string, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  let left = survivors(marker);
  while (left.length && Date.now() < end) {
    await sleep(100);
    left = survivors(marker);
  }
  return left;
}

describe('the recorder killed with SIGKILL', () => {
  it.each([1600, 2500, 4300])('after %i ms leaves a trace readable up to its last chunk, and no strace or traced process behind', async (delay) => {
    const out = path.join(tmp.dir, `k${delay}.ptrace`);
    const marker = `picotrace_fault_marker_${delay}`;
    const child = spawn(process.execPath, [BIN, 'record', '-o', out, '--', 'sh', '-c', `while :; do cat /etc/hostname >/dev/null; done; echo ${marker}`], { stdio: 'ignore' });
    await sleep(delay);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await waitGone(marker, 10_000)).toEqual([]);
    if (delay < 2000 && !fs.existsSync(out)) return;
    const r = TraceReader.open(out);
    expect(r.integrity.footer).toBe(false);
    expect(r.integrity.damage?.what).toMatch(/no footer|truncated/);
    if (delay > 2000) expect(r.eventCount).toBeGreaterThan(0);
    expect(r.verify()).toEqual([]);
    const seqs = [...r.events()].map((e) => e.seq);
    expect(seqs.length).toBe(r.eventCount);
    const info = runCli(['info', out]);
    expect(info.code).toBe(3);
    expect(info.stdout).toContain(`DAMAGED: ${r.eventCount} events recovered`);
    expect(info.stderr).toMatch(/at offset \d+\n$/);
  });
});

describe('the traced program killed by a signal', () => {
  it.each([
    ['SIGTERM', 15],
    ['SIGKILL', 9],
    ['SIGSEGV', 11],
    ['SIGABRT', 6],
    ['SIGINT', 2],
    ['SIGHUP', 1],
    ['SIGPIPE', 13],
    ['SIGUSR1', 10],
  ])('%s: exit status 128+N and a complete trace that says so', (name, n) => {
    const out = path.join(tmp.dir, `sig-${name}.ptrace`);
    const r = runCli(['record', '-o', out, '--', 'perl', '-e', `$SIG{${name.slice(3)}} = "DEFAULT"; kill "${name.slice(3)}", $$; sleep 5`]);
    expect(r.code, r.stderr).toBe(128 + n);
    const t = TraceReader.open(out);
    expect(t.integrity.footer).toBe(true);
    const exits = [...t.events({ filter: { kinds: new Set(['exit']) } })];
    expect(exits.some((e) => e.kind === 'exit' && e.signal === n)).toBe(true);
    expect(runCli(['dump', out]).stdout).toContain(`+++ killed by ${name}`);
  });
});

describe('a disk that fills up mid-recording', () => {
  // gVisor runs need runsc (CI installs it) and root, as the tmpfs mount does.
  it.each([
    ['native', [], 256],
    ['gvisor, strace-log source', ['--backend', 'gvisor', '--source', 'strace-log'], 128],
    ['gvisor, monitor source', ['--backend', 'gvisor', '--source', 'monitor'], 128],
  ] as const)('%s: stops with one clear error, leaves the partial trace readable and writes nothing else', (_name, backend, kib) => {
    const mnt = path.join(tmp.dir, `small-${kib}-${backend.length ? backend[3] : 'native'}`);
    fs.mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`this test needs root to mount a ${kib} KiB tmpfs: ${m.stderr.trim()}`);
    try {
      const out = path.join(mnt, 'full.ptrace');
      const r = runCli(['record', ...backend, '-o', out, '--', 'sh', '-c', 'for i in $(seq 1 3000); do cat /etc/hostname >/dev/null; done']);
      expect(r.code).toBe(2);
      // one line: neither a stack trace from a timer's flush nor strace complaining about its output
      expect(r.stderr).toBe(`picotrace: ${out}: no space left on device\n`);
      expect(fs.readdirSync(mnt)).toEqual(['full.ptrace']);
      const t = TraceReader.open(out);
      expect(t.integrity.footer).toBe(false);
      expect(t.eventCount).toBeGreaterThan(0);
      expect(t.verify()).toEqual([]);
    } finally {
      execFileSync('umount', ['-l', mnt]);
    }
  });
});

describe('other hostile conditions', () => {
  it('two recorders at once on different programs each get their own complete trace', async () => {
    const a = path.join(tmp.dir, 'two-a.ptrace');
    const b = path.join(tmp.dir, 'two-b.ptrace');
    const run = (out: string, cmd: string[]) =>
      new Promise<number>((resolve) => {
        const c = spawn(process.execPath, [BIN, 'record', '-o', out, '--', ...cmd], { stdio: 'ignore' });
        c.once('exit', (code) => resolve(code ?? -1));
      });
    const [ca, cb] = await Promise.all([run(a, ['sh', '-c', 'ls /usr/bin >/dev/null; exit 3']), run(b, ['cat', '/etc/hostname'])]);
    expect([ca, cb]).toEqual([3, 0]);
    const execs = (f: string) => [...TraceReader.open(f).events({ filter: { kinds: new Set(['exec']) } })].map((e) => (e.kind === 'exec' ? e.path : ''));
    expect(execs(a).some((p) => p.endsWith('/ls'))).toBe(true);
    expect(execs(a).some((p) => p.endsWith('/cat'))).toBe(false);
    expect(execs(b)).toEqual(['/usr/bin/cat']);
  });

  it('works with the standard streams closed (the program then sees /dev/null, as Node provides) or redirected', () => {
    const out = path.join(tmp.dir, 'closed.ptrace');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" record -o "${out}" -- sh -c 'cat; echo hi; echo err >&2; exit 5' <&- >&- 2>&-`], { encoding: 'utf8' });
    expect(r.status).toBe(5);
    const t = TraceReader.open(out);
    expect(t.integrity.footer, JSON.stringify(t.integrity)).toBe(true);
    const writes = [...t.events({ filter: { names: new Set(['write']) } })];
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.map((w) => (w.kind === 'call' ? Buffer.from(w.buffers[0]?.data ?? []).toString() : ''))).toEqual(expect.arrayContaining(['hi\n', 'err\n']));
    const input = path.join(tmp.dir, 'in.txt');
    fs.writeFileSync(input, 'from a file\n');
    const out2 = path.join(tmp.dir, 'redir.ptrace');
    const r2 = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" record -o "${out2}" -- cat < "${input}" > "${tmp.dir}/copy.txt" 2>/dev/null`], { encoding: 'utf8' });
    expect(r2.status).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, 'copy.txt'), 'utf8')).toBe('from a file\n');
    const onStdin = [...TraceReader.open(out2).events({ filter: { kinds: new Set(['call']) } })].filter((e) => e.kind === 'call' && e.args[0]?.k === 'fd' && e.args[0].fd === 0 && e.args[0].path === input);
    expect(onStdin.length).toBeGreaterThan(0);
  });

  it('records a program that forks a thousand children', () => {
    const out = path.join(tmp.dir, 'forks.ptrace');
    const r = runCli(['record', '-o', out, '--', 'sh', '-c', 'i=0; while [ $i -lt 1000 ]; do /bin/true & i=$((i+1)); done; wait']);
    expect(r.code).toBe(0);
    const t = TraceReader.open(out);
    expect(t.integrity.footer).toBe(true);
    const pids = new Set<number>();
    let execs = 0;
    for (const e of t.events({ filter: { kinds: new Set(['start', 'exec']) } })) {
      if (e.kind === 'start' && !e.isThread) pids.add(e.pid);
      if (e.kind === 'exec' && e.path.endsWith('true')) execs++;
    }
    expect(pids.size).toBeGreaterThanOrEqual(1001);
    expect(execs).toBe(1000);
  });
});
