import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../../src/format/index.js';
import type { CallEvent, TraceEvent } from '../../../src/model/index.js';
import { BIN, runCli, tempDir } from '../../helpers/cli.js';

const SOURCES = ['monitor', 'strace-log'] as const;
const ENV = { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C' };

function readAll(file: string): { header: TraceReader['header']; events: TraceEvent[]; dropped: number } {
  const r = TraceReader.open(file);
  try {
    return { header: r.header, events: [...r.events()], dropped: r.footerInfo.droppedEvents };
  } finally {
    r.close();
  }
}
const calls = (evs: TraceEvent[]) => evs.filter((e): e is CallEvent => e.kind === 'call');
const strArg = (c: CallEvent, i: number) => (c.args[i]?.k === 'str' ? String((c.args[i] as { v: unknown }).v) : undefined);

/** Call names (with errno) after the root program started: after its exec event (gVisor) or its execve call (native). */
function namesAfterStart(evs: TraceEvent[]): string[] {
  const i = evs.findIndex((e) => e.kind === 'exec');
  return calls(evs.slice(i + 1)).map((c) => (c.errno ? `${c.name} ${c.errno}` : c.name));
}

let tmp: { dir: string; cleanup: () => void };
let runscTmp: string;
beforeAll(() => {
  tmp = tempDir('picotrace-gvisor-test-');
  fs.chmodSync(tmp.dir, 0o755);
  runscTmp = path.join(tmp.dir, 'tmp');
  fs.mkdirSync(runscTmp);
});
afterAll(() => tmp.cleanup());

function record(name: string, args: string[], extraEnv: Record<string, string> = {}) {
  const out = path.join(tmp.dir, `${name}.ptrace`);
  const r = runCli(['record', '--backend', 'gvisor', '-o', out, ...args], { cwd: tmp.dir, env: { ...ENV, TMPDIR: runscTmp, ...extraEnv } });
  return { ...r, out };
}

describe.each(SOURCES)('record --backend gvisor --source %s', (source) => {
  it('records cat /etc/hostname: output passes through, the open and read of the file are in the trace', () => {
    const r = record(`cat-${source}`, ['--source', source, '--', 'cat', '/etc/hostname']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^picotrace: recorded \d+ events to .* \(exit status 0\)\n$/);
    expect(r.stdout).toBe(fs.readFileSync('/etc/hostname', 'utf8'));
    const t = readAll(r.out);
    expect(t.header.backend).toBe('gvisor');
    expect(t.header.captureOptions.source).toBe(source);
    expect(t.dropped).toBe(0);
    const cs = calls(t.events);
    const open = cs.find((c) => c.name === 'openat' && strArg(c, 1) === '/etc/hostname');
    expect(open?.retval).toBeGreaterThanOrEqual(3);
    expect(cs.some((c) => c.name === 'read' && c.args[0]?.k === 'fd' && c.args[0].path === '/etc/hostname' && Number(c.retval) > 0)).toBe(true);
    if (source === 'strace-log') {
      const read = cs.find((c) => c.name === 'read' && Number(c.retval) > 0 && c.buffers.length > 0 && c.args[0]?.k === 'fd' && c.args[0].path === '/etc/hostname');
      expect(Buffer.from(read!.buffers[0].data).toString()).toBe(fs.readFileSync('/etc/hostname', 'utf8'));
    }
    expect(fs.readdirSync(runscTmp).filter((f) => f.startsWith('picotrace-gvisor-'))).toEqual([]);
  });

  it("records sh -c 'ls / | wc -l': three processes, the execs of ls and wc, exit statuses", () => {
    const r = record(`sh-${source}`, ['--source', source, '--', 'sh', '-c', 'ls / | wc -l']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+$/);
    const t = readAll(r.out);
    const starts = t.events.filter((e) => e.kind === 'start');
    expect(starts.length).toBe(3);
    const execs = t.events.filter((e): e is Extract<TraceEvent, { kind: 'exec' }> => e.kind === 'exec');
    expect(execs.map((e) => e.argv.join(' '))).toEqual(expect.arrayContaining(['sh -c ls / | wc -l', 'ls /', 'wc -l']));
    const exits = t.events.filter((e) => e.kind === 'exit');
    expect(exits.length).toBe(3);
    expect(calls(t.events).some((c) => c.name === 'pipe2' || c.name === 'pipe')).toBe(true);
  });

  it('records a multi-threaded program: thread starts share the process id', () => {
    const script = 'import threading\nts=[threading.Thread(target=lambda: None) for _ in range(3)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n';
    const r = record(`threads-${source}`, ['--source', source, '--', '/usr/bin/python3', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    const t = readAll(r.out);
    const threads = t.events.filter((e) => e.kind === 'start' && e.isThread);
    expect(threads.length).toBe(3);
    const root = t.events.find((e) => e.kind === 'start' && e.isRoot)!;
    expect(threads.every((e) => e.pid === root.pid && e.tid !== root.pid)).toBe(true);
    const tids = new Set(calls(t.events).map((c) => c.tid));
    expect(tids.size).toBeGreaterThanOrEqual(4);
  });

  it("records a failing command: the program's exit status and the failing call", () => {
    const r = record(`fail-${source}`, ['--source', source, '--', 'cat', '/nonexistent/file']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('No such file or directory');
    const cs = calls(readAll(r.out).events);
    const open = cs.find((c) => c.name === 'openat' && strArg(c, 1) === '/nonexistent/file');
    expect(open).toMatchObject({ retval: -1, errno: 2 });
  });

  it('agrees with a native recording of the same command except where gVisor differs (rseq is ENOSYS)', () => {
    const native = path.join(tmp.dir, `native-${source}.ptrace`);
    const n = runCli(['record', '-o', native, '--', 'cat', '/etc/hostname'], { cwd: tmp.dir, env: { ...ENV } });
    expect(n.code).toBe(0);
    const g = record(`same-${source}`, ['--source', source, '--', 'cat', '/etc/hostname']);
    expect(g.code).toBe(0);
    const nativeNames = namesAfterStart(readAll(native).events);
    const gvisorNames = namesAfterStart(readAll(g.out).events);
    expect(nativeNames).toContain('rseq');
    expect(gvisorNames).toContain('rseq 38');
    expect(gvisorNames.map((n) => (n === 'rseq 38' ? 'rseq' : n))).toEqual(nativeNames);
  });
});

describe('diff of a native and a gVisor recording', () => {
  it.each(SOURCES)('pairs the process trees and reports the rseq ENOSYS of every process first (%s)', (source) => {
    const cmd = ['sh', '-c', 'cat /etc/hostname | wc -c'];
    const native = path.join(tmp.dir, `diff-native-${source}.ptrace`);
    expect(runCli(['record', '-o', native, '--', ...cmd], { cwd: tmp.dir, env: ENV }).code).toBe(0);
    const g = record(`diff-${source}`, ['--source', source, '--', ...cmd]);
    expect(g.code, g.stderr).toBe(0);
    const d = runCli(['diff', native, g.out]);
    expect(d.code, d.stderr).toBe(1);
    expect(d.stdout).toMatch(/in 3 of 3 process pairs/);
    const firsts = d.stdout.split('\n').filter((l) => /^ {4}\S+: /.test(l));
    expect(firsts).toHaveLength(3);
    expect(firsts.every((l) => /^ {4}rseq: 0 in A, ENOSYS in B/.test(l))).toBe(true);
  });
});

describe('gvisor monitor losses', () => {
  it('stores, shows and warns about the events gVisor dropped (forced with no retries)', () => {
    const r = record('lossy', ['--source', 'monitor', '--', 'find', '/usr/share/doc'], { PICOTRACE_GVISOR_RETRIES: '0' });
    expect(r.code, r.stderr).toBe(0);
    const m = /warning: gVisor dropped (\d+) events/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const t = readAll(r.out);
    expect(t.dropped).toBe(Number(m![1]));
    expect(t.header.captureOptions.retries).toBe('0');
    const info = runCli(['info', r.out]);
    expect(info.stdout).toMatch(new RegExp(`dropped: +${m![1]} events reported lost`));
  });

  it('drops nothing with the default retries', () => {
    const r = record('lossless', ['--source', 'monitor', '--', 'find', '/usr/share/doc', '-maxdepth', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/dropped/);
    expect(readAll(r.out).dropped).toBe(0);
  });
});

describe('gvisor backend signals and clean-up', () => {
  it('passes SIGTERM to the program, exits with its status and leaves no runsc process or directory behind', async () => {
    const out = path.join(tmp.dir, 'sigterm.ptrace');
    const child = spawn(process.execPath, [BIN, 'record', '--backend', 'gvisor', '-o', out, '--', 'sleep', '30'], { cwd: tmp.dir, env: { ...ENV, TMPDIR: runscTmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const started = Date.now();
    while (Date.now() - started < 20_000) {
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
      if (ps.split('\n').some((l) => l.startsWith('runsc-sandbox') && l.includes(runscTmp))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(143);
    expect(stderr).toContain('exit status 143');
    await new Promise((r) => setTimeout(r, 500));
    const left = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(runscTmp));
    expect(left).toEqual([]);
    expect(fs.readdirSync(runscTmp).filter((f) => f.startsWith('picotrace-gvisor-'))).toEqual([]);
    expect(readAll(out).events.some((e) => e.kind === 'exec' && e.argv[0] === 'sleep')).toBe(true);
  });
});

describe('gvisor backend environment errors', () => {
  it('exits 4 with the fix when runsc is missing', () => {
    const r = record('missing', ['--', 'true'], { PICOTRACE_RUNSC: '/nonexistent/runsc' });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/runsc not found.*apt-get install runsc/);
    expect(fs.existsSync(r.out)).toBe(false);
  });

  it('exits 4 with the reason when runsc cannot start the sandbox', () => {
    const fake = path.join(tmp.dir, 'fake-runsc');
    fs.writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$1" = --version ]; then echo "runsc version 0.0~test"; exit 0; fi\nwhile [ $# -gt 0 ]; do if [ "$1" = --log ]; then shift; echo \'{"msg":"creating container: cannot create sandbox: mkdir /sys/fs/cgroup/x: permission denied","level":"error"}\' > "$1"; fi; shift; done\nexit 128\n',
      { mode: 0o755 },
    );
    const r = record('nostart', ['--source', 'monitor', '--', 'true'], { PICOTRACE_RUNSC: fake });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/runsc could not start the sandbox: .*cgroup.*permission denied; run as root/);
    expect(fs.existsSync(r.out)).toBe(false);
  });

  it('says how to fix a TMPDIR the sandbox cannot reach', () => {
    const priv = path.join(tmp.dir, 'private');
    fs.mkdirSync(path.join(priv, 'tmp'), { recursive: true });
    fs.chmodSync(priv, 0o700);
    const r = record('privtmp', ['--', 'true'], { TMPDIR: path.join(priv, 'tmp') });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/runsc could not start the sandbox: error setting up chroot.*permission denied; .*TMPDIR/);
  });

  it('exits 127 or 126, as a shell would, for a program that is not found or that gVisor cannot execute', () => {
    const script = path.join(tmp.dir, 'lost-interpreter.sh');
    fs.writeFileSync(script, '#!/no/such/interpreter\necho hi\n', { mode: 0o755 });
    const junk = path.join(tmp.dir, 'junk.bin');
    fs.writeFileSync(junk, Buffer.from('\x7fELF not really', 'latin1'), { mode: 0o755 });
    for (const [cmd, code, line] of [
      ['no-such-command-xyz', 127, 'picotrace: no-such-command-xyz: command not found'],
      [script, 127, `picotrace: ${script}: gVisor cannot execute it: no such file or directory`],
      [junk, 126, `picotrace: ${junk}: gVisor cannot execute it: exec format error`],
    ] as const) {
      const r = record('cannot-run', ['--', cmd]);
      expect(r.code, r.stderr).toBe(code);
      // runsc's own line may come first.
      expect(r.stderr.trim().split('\n').at(-1)).toBe(line);
      expect(fs.existsSync(r.out)).toBe(false);
    }
  });

  it('rejects an unknown source and an unknown platform', () => {
    expect(record('badsrc', ['--source', 'nope', '--', 'true']).code).toBe(2);
    const r = record('badplat', ['--', 'true'], { PICOTRACE_RUNSC_PLATFORM: 'qemu' });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/unknown runsc platform qemu/);
  });
});

describe('doctor --backend gvisor', () => {
  it('checks runsc, privileges, the monitor socket library and a real sandbox start', () => {
    const r = runCli(['doctor', '--backend', 'gvisor', '--json']);
    const j = JSON.parse(r.stdout) as { checks: { name: string; status: string }[] };
    expect(j.checks.map((c) => c.name)).toEqual(['runsc', 'gvisor privileges', 'gvisor monitor socket', 'gvisor sandbox']);
    expect(j.checks.every((c) => c.status === 'ok')).toBe(true);
    expect(r.code, r.stderr).toBe(0);
  });
});

it('runsc is installed (CI installs it with .ci/run)', () => {
  expect(spawnSync('runsc', ['--version']).status).toBe(0);
});
