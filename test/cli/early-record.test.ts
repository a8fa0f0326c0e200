import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type RecordOptions } from '../../src/capture/index.js';
import { earlyLaunchPending, recordNative } from '../../src/capture/native/record.js';
import { parseEarlyRecord, startEarly } from '../../src/cli/early.js';
import { run, runCommander } from '../../src/cli/main.js';
import { TraceReader } from '../../src/format/index.js';
import { VERSION } from '../../src/cli/version.js';
import { BIN, tempDir } from '../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** What the native backend is handed for a command line, by commander or by run()'s plain path (the backend is replaced for the call). */
async function backendGets(argv: string[], via: (argv: string[]) => Promise<number> = runCommander): Promise<{ code: number; opts?: RecordOptions }> {
  const real = BACKENDS.native;
  let opts: RecordOptions | undefined;
  BACKENDS.native = async (o) => {
    opts = o;
    return { exitCode: 0, events: 0, dropped: 0, warnings: [] };
  };
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await via(argv), opts };
  } finally {
    process.stderr.write = write;
    BACKENDS.native = real;
  }
}

describe('record started before the command line is fully read', () => {
  // Each form is one a user may type; `taken` says whether the early reading must accept it.
  const forms: { argv: string[]; taken: boolean }[] = [
    { argv: ['record', '--', 'ls', '/'], taken: true },
    { argv: ['record', '-o', 'x.ptrace', '--', 'ls', '-l', '/'], taken: true },
    { argv: ['record', '--output', 'x.ptrace', '--buffer-size', '64', '--', 'sh', '-c', 'echo hi'], taken: true },
    { argv: ['record', '--output=x.ptrace', '--buffer-size=4096', '--env', '--', 'true'], taken: true },
    { argv: ['record', '--stack', '--scrub', '--backend', 'native', '--', 'true'], taken: true },
    { argv: ['record', '--backend=native', '--env', '--', 'true', '--', '-o', 'y'], taken: true },
    { argv: ['record', '--buffer-size', '1048576', '--', 'true'], taken: true },
    { argv: ['record', '--buffer-size', '1048577', '--', 'true'], taken: false },
    { argv: ['record', '--buffer-size', '0', '--', 'true'], taken: false },
    { argv: ['record', '--buffer-size', '0x40', '--', 'true'], taken: false },
    { argv: ['record', '--buffer-size', '064', '--', 'true'], taken: false },
    { argv: ['record', '--buffer-size', '--', 'true'], taken: false },
    { argv: ['record', '-o', '--env', '--', 'true'], taken: false },
    { argv: ['record', '-ox.ptrace', '--', 'true'], taken: false },
    { argv: ['record', '-o=x.ptrace', '--', 'true'], taken: false },
    { argv: ['record', '--env=yes', '--', 'true'], taken: false },
    { argv: ['record', '--env', '--env', '--', 'true'], taken: false },
    { argv: ['record', '-o', 'a', '--output', 'b', '--', 'true'], taken: false },
    { argv: ['record', '--backend', 'gvisor', '--', 'true'], taken: false },
    { argv: ['record', '--cpu', '0', '--', 'true'], taken: true },
    { argv: ['record', '--cpu=12', '-o', 'x.ptrace', '--', 'true'], taken: true },
    { argv: ['record', '--cpu', '01', '--', 'true'], taken: false },
    { argv: ['record', '--cpu', '0x1', '--', 'true'], taken: false },
    { argv: ['record', '--cpu', '-1', '--', 'true'], taken: false },
    { argv: ['record', '--bundle', 'dir'], taken: false },
    { argv: ['record', '--help'], taken: false },
    { argv: ['record', '--nope', '--', 'true'], taken: false },
    { argv: ['record', 'ls', '/'], taken: false },
    { argv: ['record', '--'], taken: false },
    { argv: ['record'], taken: false },
    { argv: ['dump', '--', 'x'], taken: false },
  ];

  it.each(forms)('$argv: taken only as commander reads it', async ({ argv, taken }) => {
    const early = parseEarlyRecord(argv);
    expect(early !== undefined).toBe(taken);
    if (!early) return;
    // Reaching the backend means commander took the command line (--scrub then fails on the file the
    // stand-in backend did not write, which does not matter here).
    const { opts } = await backendGets(argv);
    expect(opts).toBeDefined();
    // The default name is made from the time picotrace started, so both readings give the same one.
    const read = { argv: opts!.argv, output: opts!.output, bufferSize: opts!.bufferSize, env: opts!.env, stack: !!opts!.stack, scrub: opts!.transform !== undefined, ...(opts!.cpu === undefined ? {} : { cpu: opts!.cpu }) };
    expect(read).toEqual(early);
    // run() records such a command line without commander: the backend gets the same options.
    const { opts: plain } = await backendGets(argv, run);
    const { annotator, transform, log, ...rest } = opts!;
    const { annotator: a2, transform: t2, log: l2, ...plainRest } = plain!;
    expect(plainRest).toEqual(rest);
    expect([a2?.constructor, t2 === undefined, typeof l2]).toEqual([annotator?.constructor, transform === undefined, typeof log]);
  });
});

describe.skipIf(!hasStrace)('an early recording is adopted by the record command (needs strace: CI installs it)', () => {
  let dir: string;
  let cleanup: () => void;
  let cwd: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    cwd = process.cwd();
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    cleanup();
  });

  it('runs the program once and writes one complete trace', async () => {
    const marker = path.join(dir, 'runs');
    const argv = ['record', '-o', 'once.ptrace', '--', '/bin/sh', '-c', `echo ran >> ${marker}; exit 3`];
    await startEarly(argv);
    expect(earlyLaunchPending()).toBe(true);
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let code: number;
    try {
      code = await run(argv);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(3);
    expect(earlyLaunchPending()).toBe(false);
    expect(fs.readFileSync(marker, 'utf8')).toBe('ran\n');
    const r = TraceReader.open(path.join(dir, 'once.ptrace'));
    try {
      expect(r.integrity.damage).toBeUndefined();
      const execs = [...r.events()].filter((e) => e.kind === 'exec');
      expect(execs.map((e) => (e.kind === 'exec' ? e.argv[0] : ''))).toEqual(['/bin/sh']);
      expect(r.footerInfo.endNotes.exitStatus).toBe('3');
    } finally {
      r.close();
    }
  });

  it('a launch that does not match the command line is stopped, program and all, not run again', async () => {
    const tag = `43.${process.pid % 1000}${Date.now() % 1000}`;
    const running = (): boolean =>
      fs.readdirSync('/proc').some((d) => {
        try {
          return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/cmdline`, 'latin1') === `sleep\0${tag}\0`;
        } catch {
          return false;
        }
      });
    await startEarly(['record', '-o', 'mismatch.ptrace', '--', 'sleep', tag]);
    expect(earlyLaunchPending()).toBe(true);
    for (let i = 0; i < 3000 && !running(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(running()).toBe(true);
    await expect(recordNative({ argv: ['sleep', tag], output: 'other.ptrace', bufferSize: 256, env: false, writer: VERSION })).rejects.toThrow(/started early was for other options/);
    expect(earlyLaunchPending()).toBe(false);
    for (let i = 0; i < 200 && running(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running()).toBe(false);
    expect(fs.existsSync(path.join(dir, 'mismatch.ptrace'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'other.ptrace'))).toBe(false);
  });

  it('a command line that will not record leaves nothing started early', async () => {
    await startEarly(['record', '-o', 'missing.ptrace', '--', 'no-such-program-here']);
    expect(earlyLaunchPending()).toBe(false);
    expect(fs.existsSync(path.join(dir, 'missing.ptrace'))).toBe(false);
    await startEarly(['record', '-o', path.join(dir, 'no-dir', 'x.ptrace'), '--', 'true']);
    expect(earlyLaunchPending()).toBe(false);
  });
});

describe.skipIf(!hasStrace)('the picotrace launcher and NODE_EXTRA_CA_CERTS (needs strace: CI installs it)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  // Run as a user runs it: the file itself, through its #! line (whose shell line starts Node
  // without the variable and hands it over under another name).
  const show = ['/bin/sh', '-c', 'printf "%s|%s" "${NODE_EXTRA_CA_CERTS-unset}" "${PICOTRACE_EXTRA_CA_CERTS-unset}"'];

  it('gives the recorded program the variable as picotrace was given it, and nothing else', () => {
    const certs = path.join(dir, 'extra certs $HOME.pem');
    fs.writeFileSync(certs, '');
    const r = spawnSync(BIN, ['record', '-o', path.join(dir, 'a.ptrace'), '--', ...show], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: certs } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${certs}|unset`);
  });

  it('leaves it unset when it was, and empty when it was', () => {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    let r = spawnSync(BIN, ['record', '-o', path.join(dir, 'b.ptrace'), '--', ...show], { cwd: dir, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('unset|unset');
    r = spawnSync(BIN, ['record', '-o', path.join(dir, 'c.ptrace'), '--', ...show], { cwd: dir, encoding: 'utf8', env: { ...env, NODE_EXTRA_CA_CERTS: '' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('|unset');
  });

  it('runs through a symbolic link, as npm installs it', () => {
    const link = path.join(dir, 'picotrace');
    fs.symlinkSync(BIN, link);
    const r = spawnSync(link, ['--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
