import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/format/index.js';
import type { TraceEvent } from '../../src/model/index.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

function readAll(file: string): { events: TraceEvent[]; damaged: boolean } {
  const r = TraceReader.open(file);
  try {
    return { events: [...r.events()], damaged: r.integrity.damage !== undefined };
  } finally {
    r.close();
  }
}

/** Starts `picotrace record` in the background and resolves with its exit code once `act` has been applied. */
function recordAsync(args: string[], cwd: string): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'record', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

/** Every process from /proc: pid, parent, command name and command line (pgrep is not on every machine). */
function processes(): { pid: number; ppid: number; comm: string; cmd: string }[] {
  const out: { pid: number; ppid: number; comm: string; cmd: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(d), ppid, comm, cmd });
    } catch {
      continue;
    }
  }
  return out;
}

async function waitForFile(file: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fs.existsSync(file) || fs.statSync(file).size === 0) {
    if (Date.now() > end) throw new Error(`${file} never appeared`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasStrace)('picotrace record (needs strace: CI installs it)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it("exits with the program's status: 0, 3 and 128+N", () => {
    const cases: [string, number][] = [
      ['exit 0', 0],
      ['exit 3', 3],
      ['kill -TERM $$', 143],
      ['kill -KILL $$', 137],
    ];
    for (const [script, code] of cases) {
      const out = path.join(dir, `exit-${code}.ptrace`);
      const r = runCli(['record', '-o', out, '--', 'sh', '-c', script], { cwd: dir });
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`recorded \\d+ events to .*exit-${code}\\.ptrace \\(exit status ${code}\\)`));
      const { events, damaged } = readAll(out);
      expect(damaged).toBe(false);
      expect(events.at(-1)).toMatchObject({ kind: 'exit', ...(code > 128 ? { signal: code - 128 } : { status: code }) });
    }
  });

  it('gives the program our stdin and stdout, and records what it read', () => {
    const out = path.join(dir, 'stdin.ptrace');
    const r = runCli(['record', '-o', out, '--', 'cat'], { cwd: dir, input: 'hello from stdin\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello from stdin\n');
    const reads = readAll(out).events.filter((e) => e.kind === 'call' && e.name === 'read' && e.buffers.length && e.args[0].k === 'fd' && e.args[0].fd === 0);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.map((e) => (e.kind === 'call' ? Buffer.from(e.buffers[0].data).toString() : '')).join('')).toBe('hello from stdin\n');
  });

  it('names the trace after the command and the time when -o is not given', () => {
    const sub = path.join(dir, 'default-name');
    fs.mkdirSync(sub);
    const r = runCli(['record', '--', '/bin/true'], { cwd: sub });
    expect(r.code).toBe(0);
    const files = fs.readdirSync(sub);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^true-\d{8}-\d{6}\.ptrace$/);
  });

  it('passes SIGTERM and SIGINT on to the program and exits with its status', async () => {
    for (const [sig, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      const out = path.join(dir, `${sig}.ptrace`);
      const { child, done } = recordAsync(['-o', out, '--', 'sleep', '30'], dir);
      await waitForFile(out);
      await new Promise((r) => setTimeout(r, 300));
      child.kill(sig);
      const r = await done;
      expect(r.code).toBe(code);
      const { events, damaged } = readAll(out);
      expect(damaged).toBe(false);
      expect(events.some((e) => e.kind === 'signal' && e.name === sig)).toBe(true);
      expect(events.at(-1)).toMatchObject({ kind: 'exit', signal: code - 128 });
    }
  });

  // Run by node, and through the #! line, whose shell part starts strace itself for this form (test/cli/launcher.test.ts).
  for (const [how, cmd] of [
    ['node bin/picotrace.js', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`],
    ['bin/picotrace.js', JSON.stringify(BIN)],
  ] as const)
  it.skipIf(spawnSync('tmux', ['-V']).status !== 0)(`lets Ctrl-C typed at a terminal reach the program once, run as ${how} (needs tmux: CI installs it)`, async () => {
    const out = path.join(dir, `tty-${how.length}.ptrace`);
    const rc = path.join(dir, `tty-${how.length}.rc`);
    const sock = `picotrace-test-${process.pid}-${how.length}`;
    const script = `${cmd} record -o ${JSON.stringify(out)} -- sleep 30; echo $? > ${JSON.stringify(rc)}; sleep 30`;
    expect(spawnSync('tmux', ['-L', sock, 'new-session', '-d', '-s', 't', '-x', '120', '-y', '20', script]).status).toBe(0);
    try {
      await waitForFile(out);
      const headerOnly = fs.statSync(out).size;
      for (let i = 0; i < 300 && fs.statSync(out).size === headerOnly; i++) await new Promise((r) => setTimeout(r, 100));
      spawnSync('tmux', ['-L', sock, 'send-keys', '-t', 't', 'C-c']);
      await waitForFile(rc);
      expect(fs.readFileSync(rc, 'utf8').trim()).toBe('130');
      const sigs = readAll(out).events.filter((e) => e.kind === 'signal');
      expect(sigs.map((e) => (e.kind === 'signal' ? e.name : ''))).toEqual(['SIGINT']);
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
  });

  it('leaves a trace readable up to its last chunk, and no traced process, when picotrace is SIGKILLed', async () => {
    const out = path.join(dir, 'sigkill.ptrace');
    const marker = path.join(dir, 'finished');
    const { child, done } = recordAsync(['-o', out, '--', 'sh', '-c', `i=0; while [ $i -lt 30 ]; do ls / >/dev/null; sleep 0.1; i=$((i+1)); done; touch ${marker}`], dir);
    await waitForFile(out);
    const headerOnly = fs.statSync(out).size;
    for (let i = 0; i < 300 && fs.statSync(out).size === headerOnly; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await done;
    await new Promise((r) => setTimeout(r, 3500));
    expect(fs.existsSync(marker)).toBe(false);
    const { events, damaged } = readAll(out);
    expect(damaged).toBe(true);
    expect(events.filter((e) => e.kind === 'exec').length).toBeGreaterThan(0);
    expect(processes().filter((p) => p.cmd.includes(`touch ${marker}`))).toEqual([]);
  });

  it('leaves no traced process when picotrace is SIGKILLed before it has read a line from strace', async () => {
    // Killed as soon as the program runs: picotrace has not yet parsed its start (the parser is still
    // loading), so its watchdog knows only strace, and must kill strace's descendants too (a traced
    // program outlives a killed strace).
    const tag = `${process.pid % 1000}${Date.now() % 1000}`;
    // No pipe to the program: a process holding one may end with it, which would hide what this
    // test looks for.
    const child = spawn(process.execPath, [BIN, 'record', '-o', path.join(dir, 'early-kill.ptrace'), '--', 'sh', '-c', `sleep 41.${tag} & sleep 42.${tag}; wait`], { cwd: dir, stdio: 'ignore' });
    const done = new Promise((resolve) => child.on('exit', resolve));
    // Only command lines are read while waiting, so the kill follows the program's start within a
    // few ms (the parser takes some 50 ms to load).
    const started = (): boolean =>
      fs.readdirSync('/proc').some((d) => {
        try {
          return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/cmdline`, 'latin1') === `sleep\0${'42.' + tag}\0`;
        } catch {
          return false;
        }
      });
    const end = Date.now() + 30_000;
    while (!started()) {
      if (Date.now() > end) throw new Error('the program never started');
      await new Promise((r) => setTimeout(r, 1));
    }
    child.kill('SIGKILL');
    await done;
    await new Promise((r) => setTimeout(r, 2000));
    expect(processes().filter((p) => p.cmd.includes(`.${tag}`) && p.comm !== 'node')).toEqual([]);
  });

  it('writes the last call before a long wait within two seconds, so SIGKILL does not lose it', async () => {
    // The write is the program's last finished call before it sleeps: strace prints nothing more,
    // and the parser, which holds each call for stack frames that may follow, lets it go when quiet.
    const out = path.join(dir, 'quiet.ptrace');
    const { child, done } = recordAsync(['-o', out, '--', '/usr/bin/python3', '-c', 'import os, time; os.write(1, b"marker\\n"); time.sleep(30)'], dir);
    await waitForFile(out);
    await new Promise((r) => setTimeout(r, 3500));
    child.kill('SIGKILL');
    await done;
    const { events } = readAll(out);
    const writes = events.filter((e) => e.kind === 'call' && e.name === 'write');
    expect(writes.map((w) => (w.kind === 'call' ? Buffer.from(w.buffers[0].data).toString() : ''))).toContain('marker\n');
  });

  it('kills what strace leaves running when strace itself dies first', async () => {
    const out = path.join(dir, 'strace-killed.ptrace');
    const { child, done } = recordAsync(['-o', out, '--', 'sh', '-c', 'sleep 31.25; echo never'], dir);
    await waitForFile(out);
    let strace = '';
    for (let i = 0; i < 600 && !strace; i++) {
      await new Promise((r) => setTimeout(r, 50));
      strace = String(processes().find((p) => p.ppid === child.pid && p.comm === 'strace')?.pid ?? '');
    }
    expect(strace).toMatch(/^\d+$/);
    const headerOnly = fs.statSync(out).size;
    for (let i = 0; i < 300 && fs.statSync(out).size === headerOnly; i++) await new Promise((r) => setTimeout(r, 100));
    process.kill(Number(strace), 'SIGKILL');
    const r = await done;
    expect(r.code).toBe(137);
    expect(r.stderr).toMatch(/strace ended before the program; killed \d+ process/);
    await new Promise((res) => setTimeout(res, 200));
    expect(processes().filter((p) => p.cmd.includes('sleep 31.25'))).toEqual([]);
    expect(readAll(out).events.some((e) => e.kind === 'exec')).toBe(true);
  });

  it('rejects bad usage with one line and exit code 2', () => {
    for (const args of [['record'], ['record', '--buffer-size', 'x', '--', 'true'], ['record', '--backend', 'bogus', '--', 'true']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^picotrace: /);
    }
  });

  it('exits 127 for a command that is not found and 126 for one that cannot be executed, as a shell does, running nothing', () => {
    const cmds = path.join(dir, 'cmds');
    fs.mkdirSync(cmds, { recursive: true });
    fs.writeFileSync(path.join(cmds, 'plain'), 'echo hi\n', { mode: 0o644 });
    const cases: [string, number, RegExp][] = [
      ['no-such-command-xyz', 127, /^picotrace: no-such-command-xyz: command not found$/],
      ['./no-such-file', 127, /^picotrace: \.\/no-such-file: no such file or directory$/],
      [cmds, 126, /: is a directory$/],
      [path.join(cmds, 'plain'), 126, /plain: permission denied \(not executable\)$/],
    ];
    for (const [cmd, code, line] of cases) {
      const out = path.join(dir, 'never.ptrace');
      const r = runCli(['record', '-o', out, '--', cmd], { cwd: dir });
      expect(r.code, cmd).toBe(code);
      expect(r.stderr.trim().split('\n'), cmd).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(line);
      expect(fs.existsSync(out), cmd).toBe(false);
    }
    // A PATH search passes over a file that is not executable, and over a directory, to a later one that is.
    const later = path.join(dir, 'later');
    fs.mkdirSync(path.join(later, 'plain'), { recursive: true });
    const bins = path.join(dir, 'bins');
    fs.mkdirSync(bins, { recursive: true });
    fs.copyFileSync('/bin/true', path.join(bins, 'plain'));
    const r = runCli(['record', '-o', path.join(dir, 'search.ptrace'), '--', 'plain'], { cwd: dir, env: { ...process.env, PATH: `${cmds}:${later}:${bins}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    const denied = runCli(['record', '-o', path.join(dir, 'denied.ptrace'), '--', 'plain'], { cwd: dir, env: { ...process.env, PATH: `${later}:${cmds}:${process.env.PATH}` } });
    expect(denied.code).toBe(126);
    expect(denied.stderr.trim()).toBe('picotrace: plain: permission denied (not executable)');
  });

  it('exits 127 or 126 when strace cannot exec the program, keeps the trace of the failed execve and says why', () => {
    const script = path.join(dir, 'lost-interpreter.sh');
    fs.writeFileSync(script, '#!/no/such/interpreter\necho hi\n', { mode: 0o755 });
    const junk = path.join(dir, 'junk.bin');
    fs.writeFileSync(junk, Buffer.from('\x7fELF not really', 'latin1'), { mode: 0o755 });
    for (const [cmd, code, why] of [
      [script, 127, 'no such file or directory (the interpreter its #! line names, /no/such/interpreter, was not found)'],
      [junk, 126, 'exec format error'],
    ] as const) {
      const out = path.join(dir, 'failed-exec.ptrace');
      const r = runCli(['record', '-o', out, '--', cmd], { cwd: dir });
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toContain(`picotrace: warning: ${cmd} could not be executed: ${why}; exit status ${code}, as from a shell`);
      const calls = readAll(out).events.filter((e) => e.kind === 'call');
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ name: 'execve', retval: -1, errno: code === 127 ? 2 : 8 });
    }
    // A program whose own exec fails later is left to report its own status.
    const r = runCli(['record', '-o', path.join(dir, 'sh-exec.ptrace'), '--', 'sh', '-c', `exec ${script}`], { cwd: dir });
    expect(r.code).toBe(127);
    expect(r.stderr).not.toContain('could not be executed');
  });

  it('stores the user-space stack of every call with --stack, and none without', () => {
    const withStack = path.join(dir, 'stack.ptrace');
    const r = runCli(['record', '--stack', '-o', withStack, '--', 'sh', '-c', 'echo hi | cat > /dev/null'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const calls = readAll(withStack).events.filter((e) => e.kind === 'call');
    const writes = calls.filter((c) => c.kind === 'call' && c.name === 'write');
    expect(writes.length).toBe(2);
    for (const w of writes) expect(w.kind === 'call' && w.stack?.[0]).toMatch(/libc\.so\.6\(__write\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$/);
    // cat's write comes from cat, the shell's from the shell.
    expect(writes.map((w) => (w.kind === 'call' ? w.stack!.some((f) => f.startsWith('/usr/bin/cat(')) : false))).toEqual([false, true]);
    expect(calls.filter((c) => c.kind === 'call' && c.stack?.length).length / calls.length).toBeGreaterThan(0.9);
    expect(runCli(['info', withStack]).stdout).toMatch(/options: .*straceFlags=[^\n]* -k .*stack=true/);
    const plain = path.join(dir, 'nostack.ptrace');
    expect(runCli(['record', '-o', plain, '--', 'sh', '-c', 'echo hi | cat > /dev/null'], { cwd: dir }).code).toBe(0);
    expect(readAll(plain).events.some((e) => 'stack' in e && e.stack !== undefined)).toBe(false);
  });

  it('refuses --stack, before anything runs, where it cannot be had', () => {
    // A strace whose -V lists no stack-trace feature (a build without libunwind or libdw).
    const bin = path.join(dir, 'fakebin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'strace'), '#!/bin/sh\necho "strace -- version 6.1"\necho "Optional features enabled: m32-mpers"\n', { mode: 0o755 });
    const out = path.join(dir, 'fake.ptrace');
    const r = runCli(['record', '--stack', '-o', out, '--', 'touch', path.join(dir, 'ran')], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^picotrace: strace: .* cannot print stack traces .*; install a strace built with libunwind or libdw/);
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
    const g = runCli(['record', '--stack', '--backend', 'gvisor', '-o', out, '--', 'true'], { cwd: dir });
    expect([g.code, g.stderr.trim()]).toEqual([2, 'picotrace: --stack: the gvisor backend cannot capture user-space stacks (record natively for them)']);
  });

  it('fails fast with exit code 4 and advice when strace is missing', () => {
    const r = runCli(['record', '-o', path.join(dir, 'nostrace.ptrace'), '--', '/bin/true'], { cwd: dir, env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^picotrace: strace: not found on PATH; install strace/);
    expect(fs.existsSync(path.join(dir, 'nostrace.ptrace'))).toBe(false);
  });

  it('--cpu N runs strace and the program on CPU N only, and says so in the header', () => {
    const allowed = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1];
    const last = Number(allowed.split(/[-,]/).pop());
    const out = path.join(dir, 'pinned.ptrace');
    const r = runCli(['record', '--cpu', String(last), '-o', out, '--', 'sh', '-c', 'grep Cpus_allowed_list /proc/self/status; cat /proc/self/status > /dev/null'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Cpus_allowed_list:\t${last}\n`);
    expect(runCli(['info', out]).stdout).toMatch(new RegExp(`options: .* cpu=${last}\\b`));
    // The trace is of the program alone: taskset runs before strace, and is not in it.
    const execs = readAll(out).events.filter((e) => e.kind === 'exec');
    expect(execs.map((e) => (e.kind === 'exec' ? path.basename(e.path) : ''))).toEqual(['sh', 'grep', 'cat']);
  });

  it('--cpu refuses a CPU picotrace may not use, and a machine without taskset', () => {
    const bad = runCli(['record', '--cpu', '100000', '-o', path.join(dir, 'badcpu.ptrace'), '--', 'true'], { cwd: dir });
    expect([bad.code, bad.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(bad.stderr).toMatch(/^picotrace: --cpu 100000: picotrace may run only on CPU [0-9,-]+\n$/);
    const bin = path.join(dir, 'onlystrace');
    fs.mkdirSync(bin, { recursive: true });
    const strace = spawnSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(strace, path.join(bin, 'strace'));
    const r = runCli(['record', '--cpu', '0', '-o', path.join(dir, 'notaskset.ptrace'), '--', '/bin/true'], { cwd: dir, env: { ...process.env, PATH: bin } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^picotrace: taskset: not found on PATH .*; install util-linux/);
    expect(fs.existsSync(path.join(dir, 'notaskset.ptrace'))).toBe(false);
  });
});
