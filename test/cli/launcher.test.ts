import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUFFER_SIZE, straceFlags } from '../../src/capture/native/flags.js';
import { TraceReader } from '../../src/format/index.js';
import { BIN, tempDir } from '../helpers/cli.js';

// bin/picotrace.js run as an installed picotrace runs (through its #! line): its shell part starts
// strace on the plain `record` forms before Node runs, and Node takes the recording over. These
// tests check that this path records what Node's own launch would, and behaves as well.

const hasStrace = spawnSync('strace', ['-V']).status === 0;

interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
  stdin: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0').slice(0, -1);
      let stdin = '';
      try {
        stdin = fs.readlinkSync(`/proc/${d}/fd/0`);
      } catch {
        /* not ours to read */
      }
      out.push({ pid: Number(d), ppid, argv, stdin });
    } catch {
      continue;
    }
  }
  return out;
}

async function until<T>(what: string, get: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: never`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `picotrace ARGS` through the #! line; resolves with its exit code (128+N when killed by N), stdout and stderr. */
function launch(args: string[], cwd: string, input?: string) {
  return launchWith(BIN, args, cwd, input);
}

function launchWith(file: string, args: string[], cwd: string, input?: string) {
  const child = spawn(file, args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr })),
  );
  return { child, done };
}

describe.skipIf(!hasStrace)('bin/picotrace.js starting strace before Node (needs strace: CI installs it)', () => {
  let dir: string;
  let cleanup: () => void;
  // What the launcher keeps of strace goes to a cache of the tests' own, not the user's.
  const xdg = process.env.XDG_CACHE_HOME;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    process.env.XDG_CACHE_HOME = path.join(dir, 'xdg');
  });
  afterAll(() => {
    if (xdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = xdg;
    cleanup();
  });

  const stacks = /Optional features enabled:.*\bstack-trace=/.test(spawnSync('strace', ['-V'], { encoding: 'utf8' }).stdout ?? '');
  const variants: { options: string[]; bufferSize: number; env: boolean; stack: boolean; cpu?: string }[] = [
    { options: [], bufferSize: DEFAULT_BUFFER_SIZE, env: false, stack: false },
    { options: ['--buffer-size', '4096', '--env', ...(stacks ? ['--stack'] : [])], bufferSize: 4096, env: true, stack: stacks },
    { options: ['--cpu=0'], bufferSize: DEFAULT_BUFFER_SIZE, env: false, stack: false, cpu: '0' },
  ];
  for (const v of variants)
  it(`starts strace itself, with the flags Node would give it, its own watchdog, and a header that precedes the first call (record ${v.options.join(' ')})`, async () => {
    const tag = `30.${process.pid % 1000}${Date.now() % 1000}`;
    const out = path.join(dir, `shell-${v.options.length}.ptrace`);
    const { child, done } = launch(['record', ...v.options, '-o', out, '--', 'sleep', tag], dir);
    const sleeper = await until('the program', () => processes().find((p) => p.argv[0] === 'sleep' && p.argv[1] === tag));
    const all = processes();
    const strace = all.find((p) => p.pid === sleeper.ppid)!;
    expect(strace.ppid).toBe(child.pid);
    // With --cpu, strace ran through taskset, and the program inherited the pin.
    const pin = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${sleeper.pid}/status`, 'utf8'))![1];
    if (v.cpu !== undefined) expect(pin).toBe(v.cpu);
    const fifo = strace.argv[strace.argv.indexOf('-o') + 1];
    expect(path.dirname(path.dirname(fifo))).toBe(os.tmpdir().replace(/\/$/, ''));
    expect(path.basename(path.dirname(fifo))).toMatch(/^picotrace-/);
    const expected = [...straceFlags({ bufferSize: v.bufferSize, env: v.env, output: fifo, stack: v.stack }).args, '--', 'sleep', tag];
    expect(strace.argv.slice(1)).toEqual(expected);
    expect(path.basename(strace.argv[0])).toBe('strace');
    // The launcher's watchdog is a subshell of it (Node's would run bin/picotrace.js --picotrace-watchdog).
    const watchdog = all.filter((p) => p.stdin === path.join(path.dirname(fifo), 'watchdog.fifo'));
    expect(watchdog.map((p) => p.ppid)).toEqual([child.pid]);
    expect(all.some((p) => p.argv.includes('--picotrace-watchdog') && p.argv.includes(path.dirname(fifo)))).toBe(false);
    // Once Node has taken over (the trace has its header), SIGTERM goes to the program.
    await until('the header', () => (fs.statSync(out).size > 0 ? true : undefined));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(fs.existsSync(path.dirname(fifo))).toBe(false);
    // Nothing of the launch is left: the watchdog ended with picotrace, disarmed.
    expect(processes().filter((p) => p.ppid === child.pid || p.argv.includes(tag))).toEqual([]);
    const reader = TraceReader.open(out);
    try {
      const first = [...reader.events()][0];
      expect(first.pid).toBe(sleeper.pid);
      expect(reader.header.captureOptions.straceFlags).toBe(expected.slice(0, expected.indexOf('-o')).join(' '));
      expect(reader.header.captureOptions.cpu).toBe(v.cpu);
      // With --env, the header holds the environment the program got: none of the launcher's variables.
      const names = reader.header.env.map((e) => e.name);
      if (v.env) expect(names).toContain('PATH');
      else expect(names).toEqual([]);
      expect(names.filter((n) => n.startsWith('PICOTRACE_'))).toEqual([]);
      expect(first.timeNs).toBeGreaterThanOrEqual(0);
    } finally {
      reader.close();
    }
  });

  it('runs the program once for each form it takes, and gives it stdin and default signal handling', async () => {
    const count = path.join(dir, 'count');
    const forms = [['-o', 'a.ptrace'], ['--output', 'b.ptrace'], ['--output=c.ptrace'], ['--scrub', '-o', 'd.ptrace'], ['-o', 'e.ptrace', '--scrub'], ['--buffer-size=64', '-o', 'f.ptrace'], ['--env', '--output', 'g.ptrace', '--buffer-size', '1048576']];
    for (const form of forms) {
      fs.writeFileSync(count, '');
      // SigIgn is the mask of ignored signals: an asynchronous shell command would ignore SIGINT and SIGQUIT.
      const script = `echo run >> ${count}; grep SigIgn /proc/self/status; cat`;
      const r = await launch(['record', ...form, '--', 'sh', '-c', script], dir, 'from stdin\n').done;
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readFileSync(count, 'utf8')).toBe('run\n');
      expect(r.stdout).toBe('SigIgn:\t0000000000000000\nfrom stdin\n');
      const name = form.find((a) => a.includes('.ptrace'))!.replace('--output=', '');
      expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    }
  });

  it('gives the program the umask picotrace was started with, and makes the trace 0600 all the same', async () => {
    const out = path.join(dir, 'umask.ptrace');
    const script = 'umask; read line; echo "$line"';
    const child = spawn('sh', ['-c', 'umask 027 && exec "$0" "$@"', BIN, 'record', '-o', out, '--', 'sh', '-c', script], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const program = await until('the program', () => processes().find((p) => p.argv[0] === 'sh' && p.argv[2] === script));
    // The shell part started strace (its parent is picotrace itself, not a child Node started).
    expect(processes().find((p) => p.pid === program.ppid)?.ppid).toBe(child.pid);
    child.stdin!.end('go on\n');
    expect(await closed).toBe(0);
    expect(stdout).toBe('0027\ngo on\n');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });

  it('passes on exit codes and deaths by signal, and names the trace after the command by default', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'default-'));
    expect((await launch(['record', '--', 'sh', '-c', 'exit 3'], cwd).done).code).toBe(3);
    expect((await launch(['record', '--', 'bash', '-c', 'kill -SEGV $$'], cwd).done).code).toBe(139);
    const names = fs.readdirSync(cwd).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^bash-\d{8}-\d{6}\.ptrace$/);
    expect(names[1]).toMatch(/^sh-\d{8}-\d{6}\.ptrace$/);
  });

  it('leaves no traced process when picotrace is SIGKILLed as soon as the program runs', async () => {
    const tag = `${process.pid % 1000}${Date.now() % 1000}`;
    const child = spawn(BIN, ['record', '-o', path.join(dir, 'killed.ptrace'), '--', 'sh', '-c', `sleep 41.${tag} & sleep 42.${tag}; wait`], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await until('the program', () => (processes().some((p) => p.argv.join(' ') === `sleep 42.${tag}`) ? true : undefined));
    child.kill('SIGKILL');
    await exited;
    await until('the watchdog to kill the program', () => (processes().some((p) => p.argv.join(' ').includes(`.${tag}`)) ? undefined : true), 5000);
  });

  it('stops a chatty program without a "Broken pipe" message per line when picotrace is SIGKILLed (launched either way)', async () => {
    // The watchdog holds the FIFO's read end, so strace's writes wait once Node is gone, and stops
    // strace before it reads the process tree.
    for (const way of ['launcher', 'node']) {
      const tag = `44.${process.pid % 1000}${Date.now() % 1000}`;
      const args = ['record', '-o', path.join(dir, `chatty-${way}.ptrace`), '--', 'sh', '-c', `sleep ${tag} & while :; do cat /etc/hostname; done`];
      const { child, done } = way === 'node' ? launchWith(process.execPath, [BIN, ...args], dir) : launch(args, dir);
      await until('the program', () => (processes().some((p) => p.argv[0] === 'sleep' && p.argv[1] === tag) ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      const r = await done;
      expect(r.code).toBe(137);
      await until('the watchdog to kill the program', () => (processes().some((p) => p.argv.includes(tag) || p.argv.join(' ').includes(`sleep ${tag} &`)) ? undefined : true), 5000);
      expect(r.stderr, way).not.toContain('Broken pipe');
    }
  });

  it('ends what the launcher started, quietly, when Node cannot start (NODE_OPTIONS it refuses)', async () => {
    const tag = `45.${process.pid % 1000}${Date.now() % 1000}`;
    const marker = path.join(dir, 'node-refused-ran');
    const child = spawn(BIN, ['record', '-o', path.join(dir, 'node-refused.ptrace'), '--', 'sh', '-c', `sleep ${tag} & while [ ! -e ${marker}.stop ]; do cat /etc/hostname; done; wait; touch ${marker}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '--no-such-node-option' },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(9);
    await until('the watchdog to kill the program', () => (processes().some((p) => p.argv.includes(tag)) ? undefined : true), 5000);
    // Node's own one line, and nothing from strace.
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('--no-such-node-option')]);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'node-refused.ptrace'))).toBe(false);
  });

  it('says node is missing in one line when PATH does not reach it, and starts nothing', async () => {
    const bin = path.join(dir, 'no-node');
    fs.mkdirSync(bin, { recursive: true });
    for (const tool of ['strace', 'env', 'date', 'mktemp', 'mkfifo', 'perl', 'sh', 'true']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found && !fs.existsSync(path.join(bin, tool))) fs.symlinkSync(found, path.join(bin, tool));
    }
    const out = path.join(dir, 'no-node.ptrace');
    const r = spawnSync(BIN, ['record', '-o', out, '--', 'true'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: bin, SUDO_USER: 'someone' } });
    expect(r.status).toBe(127);
    expect(r.stderr).toBe('picotrace: node (Node.js 20.15 or newer) is not on PATH (sudo sets PATH from its secure_path)\n');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('leaves neither a program nor an empty trace when SIGTERM comes as the program starts', async () => {
    // The program runs some 40 ms before Node can catch signals: picotrace dies of one that comes
    // then, and its watchdog kills what it started and removes the trace it had not yet written to.
    const tag = `43.${process.pid % 1000}${Date.now() % 1000}`;
    const out = path.join(dir, 'early-term.ptrace');
    const { child, done } = launch(['record', '-o', out, '--', 'sleep', tag], dir);
    await until('the program', () => (processes().some((p) => p.argv[0] === 'sleep' && p.argv[1] === tag) ? true : undefined));
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
    await until('the program to end', () => (processes().some((p) => p.argv.includes(tag)) ? undefined : true), 5000);
    // Almost always picotrace is still starting, and the watchdog removes the empty trace; on a slow
    // machine Node may have taken over, passed SIGTERM on, and written a whole trace.
    if (fs.existsSync(out)) {
      const reader = TraceReader.open(out);
      try {
        expect(reader.integrity.damage).toBeUndefined();
      } finally {
        reader.close();
      }
    }
  });

  it('gives the program /dev/null for a closed standard stream, and none of fds 3 to 9, as Node does', async () => {
    const out = path.join(dir, 'closed.ptrace');
    const bin = JSON.stringify(BIN);
    // GNU time -o leaves its file open as fd 3 in the command it runs; a jobserver its pipes.
    for (const redirect of ['<&-', '3</dev/null', '4</dev/null 9>/dev/null']) {
      const script = 'readlink /proc/$$/fd/0; for f in 3 4 5 6 7 8 9; do readlink /proc/$$/fd/$f; done; echo end';
      const r = spawnSync('sh', ['-c', `exec ${bin} record -o ${JSON.stringify(out)} -- sh -c '${script}' ${redirect}`], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/Bad file descriptor|bin\/picotrace\.js: \d+:/);
      const [stdin, ...rest] = r.stdout.trim().split('\n');
      if (redirect === '<&-') expect(stdin).toBe('/dev/null');
      expect(rest).toEqual(['end']);
    }
  });

  for (const c of [
    { what: 'a strace older than 6', version: 'strace -- version 5.10', options: [] as string[], says: /strace 6\.0 or newer/ },
    { what: '--stack with a strace built without stack traces', version: 'strace -- version 6.1\nOptional features enabled: no-m32-mpers', options: ['--stack'], says: /stack/ },
  ])
  it(`starts nothing and leaves nothing behind for ${c.what}: Node refuses it with exit 4`, async () => {
    const bin = path.join(dir, `fake-strace-${c.options.length}`);
    const tmp = path.join(dir, `tmp-${c.options.length}`);
    fs.mkdirSync(bin, { recursive: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(bin, 'strace'), `#!/bin/sh\n[ "$1" = -V ] && { printf '%b\\n' '${c.version}'; exit 0; }\nexec /usr/bin/strace "$@"\n`, { mode: 0o755 });
    const count = path.join(dir, `fake-strace-count-${c.options.length}`);
    const out = path.join(dir, `fake-strace-${c.options.length}.ptrace`);
    const child = spawn(BIN, ['record', ...c.options, '-o', out, '--', 'sh', '-c', `echo run >> ${count}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(4);
    expect(stderr).toMatch(c.says);
    expect(fs.existsSync(count)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('leaves the recording to Node where env has no --default-signal (busybox, old coreutils)', async () => {
    const bin = path.join(dir, 'old-env');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'env'), '#!/bin/sh\necho "env: unrecognized option \\"$1\\"" >&2\nexit 125\n', { mode: 0o755 });
    const count = path.join(dir, 'old-env-count');
    const out = path.join(dir, 'old-env.ptrace');
    const child = spawn(BIN, ['record', '-o', out, '--', 'sh', '-c', `echo run >> ${count}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain('unrecognized option');
    expect(fs.readFileSync(count, 'utf8')).toBe('run\n');
  });

  it('says taskset may be what failed when a --cpu recording cannot start, and leaves no trace', async () => {
    const bin = path.join(dir, 'bad-taskset');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'taskset'), '#!/bin/sh\necho "taskset: failed to set affinity" >&2\nexit 1\n', { mode: 0o755 });
    const out = path.join(dir, 'bad-taskset.ptrace');
    const child = spawn(BIN, ['record', '--cpu', '0', '-o', out, '--', 'true'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(2);
    expect(stderr).toContain('picotrace: true: taskset or strace could not start it (exit status 1; its message is above)');
    expect(fs.existsSync(out)).toBe(false);
  });

  it("keeps what strace -V said in the user's cache, and on the next recording runs neither it nor date (with -o)", async () => {
    // strace and date are wrappers that log their calls; the cache directory does not exist yet.
    const bin = path.join(dir, 'counting');
    const cache = path.join(dir, 'xdg-counting');
    const calls = path.join(dir, 'counting-calls');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'strace'), `#!/bin/sh\n[ "$1" = -V ] && echo strace-V >> ${calls}\nexec /usr/bin/strace "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\necho date >> ${calls}\nexec /bin/date "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: cache };
    const facts = path.join(cache, 'picotrace', 'launch');
    const record = (args: string[], cwd = dir) => {
      const r = spawnSync(BIN, ['record', ...args, '--', 'true'], { cwd, encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
    };
    const logged = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean) : []);
    record(['-o', 'facts-1.ptrace']);
    expect(logged().sort()).toEqual(['date', 'strace-V']);
    // Written in the background, once strace has started.
    await until('the facts file', () => (fs.existsSync(facts) ? true : undefined), 5000);
    expect(fs.statSync(facts).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(facts)).mode & 0o777).toBe(0o700);
    const version = spawnSync('/usr/bin/strace', ['-V'], { encoding: 'utf8' }).stdout.trim();
    const envPath = spawnSync('sh', ['-c', 'command -v env'], { encoding: 'utf8' }).stdout.trim();
    expect(fs.readFileSync(facts, 'utf8')).toBe(`picotrace launch 1\n${path.join(bin, 'strace')}\n${envPath}\n${version}\n`);

    fs.writeFileSync(calls, '');
    const before = BigInt(Date.now()) * 1_000_000n;
    record(['-o', 'facts-2.ptrace']);
    expect(logged()).toEqual([]);
    const reader = TraceReader.open(path.join(dir, 'facts-2.ptrace'));
    try {
      expect(reader.header.notes).toContain(`strace ${/^strace -- version (\S+)/.exec(version)![1]}`);
      // The start, read from /proc instead of date, comes before the program's first call and at
      // most a second before picotrace was started.
      expect(reader.header.startTimeNs).toBeLessThanOrEqual(before + 1_000_000_000n);
      expect(reader.header.startTimeNs).toBeGreaterThan(before - 1_000_000_000n);
      expect([...reader.events()][0].timeNs).toBeGreaterThanOrEqual(0);
    } finally {
      reader.close();
    }
    // The default name needs date's time stamp, but not strace -V.
    const cwd = fs.mkdtempSync(path.join(dir, 'facts-default-'));
    record([], cwd);
    expect(logged()).toEqual(['date']);
    expect(fs.readdirSync(cwd)).toEqual([expect.stringMatching(/^true-\d{8}-\d{6}\.ptrace$/)]);
    // A strace changed since (newer than the file) is asked again.
    fs.writeFileSync(calls, '');
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(path.join(bin, 'strace'), later, later);
    record(['-o', 'facts-3.ptrace']);
    expect(logged().sort()).toEqual(['date', 'strace-V']);
  });

  it('keeps what it found out in $PICOTRACE_CACHE_DIR when that is set, as the keyframe cache does', async () => {
    const own = path.join(dir, 'picotrace-cache-dir');
    const xdg = path.join(dir, 'xdg-passed-over');
    const env = { ...process.env, PICOTRACE_CACHE_DIR: own, XDG_CACHE_HOME: xdg };
    for (const name of ['own-1.ptrace', 'own-2.ptrace']) {
      const r = spawnSync(BIN, ['record', '-o', name, '--', 'true'], { cwd: dir, encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      await until('the facts file', () => (fs.existsSync(path.join(own, 'launch')) ? true : undefined), 5000);
    }
    expect(fs.readFileSync(path.join(own, 'launch'), 'utf8')).toMatch(/^picotrace launch 1\n/);
    expect(fs.existsSync(xdg)).toBe(false);
  });

  it('forgets what it kept of strace once that strace fails to start a program, and asks the next one again', async () => {
    const bin = path.join(dir, 'replaced');
    const cache = path.join(dir, 'xdg-replaced');
    const calls = path.join(dir, 'replaced-calls');
    const strace = path.join(bin, 'strace');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(strace, `#!/bin/sh\n[ "$1" = -V ] && echo strace-V >> ${calls}\nexec /usr/bin/strace "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: cache };
    const facts = path.join(cache, 'picotrace', 'launch');
    const out = path.join(dir, 'replaced.ptrace');
    expect(spawnSync(BIN, ['record', '-o', out, '--', 'true'], { cwd: dir, env }).status).toBe(0);
    await until('the facts file', () => (fs.existsSync(facts) ? true : undefined), 5000);
    // Replaced in place by one that refuses the flags, its time stamp left older than the file's.
    fs.writeFileSync(strace, '#!/bin/sh\necho "strace: unrecognized option" >&2\nexit 1\n');
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(strace, old, old);
    const r = spawnSync(BIN, ['record', '-o', out, '--', 'true'], { cwd: dir, encoding: 'utf8', env });
    // Node's probe finds this strace cannot trace anything: exit 4, with advice.
    expect(r.status, r.stderr).toBe(4);
    expect(r.stderr).toContain('strace: unrecognized option');
    expect(r.stderr).toContain('picotrace: strace could not record true');
    expect(fs.existsSync(facts)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
    fs.writeFileSync(calls, '');
    fs.writeFileSync(strace, `#!/bin/sh\n[ "$1" = -V ] && echo strace-V >> ${calls}\nexec /usr/bin/strace "$@"\n`);
    expect(spawnSync(BIN, ['record', '-o', out, '--', 'true'], { cwd: dir, env }).status).toBe(0);
    expect(fs.readFileSync(calls, 'utf8')).toBe('strace-V\n');
  });

  it('leaves a form it does not take (--backend native) to Node, which records it as before', async () => {
    const out = path.join(dir, 'env.ptrace');
    const r = await launch(['record', '--backend', 'native', '--env', '-o', out, '--', 'true'], dir).done;
    expect(r.code, r.stderr).toBe(0);
    const reader = TraceReader.open(out);
    try {
      expect(reader.header.env.length).toBeGreaterThan(0);
      expect(reader.header.env.some((v) => v.name.startsWith('PICOTRACE_'))).toBe(false);
    } finally {
      reader.close();
    }
  });
});
