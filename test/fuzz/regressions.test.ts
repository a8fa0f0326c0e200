import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const fixture = (name: string) => path.join(ROOT, 'traces', 'fuzz', name);

function expectClean(r: { code: number; stderr: string }, code: number) {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('inputs the fuzzer once crashed on', () => {
  it('undecodable arguments under a valid checksum read as a marker, the rest stays readable', () => {
    const r = runCli(['dump', fixture('args-undecodable-valid-crc.ptrace')]);
    expectClean(r, 3);
    expect(r.stdout).toContain('openat(<arguments do not decode>) = 3');
    expect(r.stdout).toContain('close(3) = 0');
    expect(r.stderr).toMatch(/no footer/);
  });

  it('a file name with a NUL byte is a usage error, not a crash', async () => {
    const { run } = await import('../../src/cli/main.js');
    let err = '';
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      expect(await run(['info', 'a\u0000b'])).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    expect(err).toBe('picotrace: "a\\u0000b": not a valid file name\n');
  });

  it('an imported event time beyond what a trace holds is not stored, and the import succeeds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-fz-'));
    const log = path.join(dir, 'huge-time.log');
    fs.writeFileSync(log, '12 30000000000000.000001 getpid() = 12\n12 1700000000.000002 getppid() = 1\n');
    const out = path.join(dir, 'o.ptrace');
    const r = runCli(['import', '--format', 'strace', log, '-o', out]);
    expectClean(r, 0);
    const d = runCli(['dump', out]);
    expect(d.stdout).toMatch(/getpid\(\) = 12/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a file name longer than the system allows is one line and exit 2', () => {
    const r = runCli(['info', '9'.repeat(5000)]);
    expectClean(r, 2);
    expect(r.stderr).toMatch(/^picotrace: 9+: file name too long\n$/);
  });

  it('a gVisor strace log whose exit record has no entry record imports cleanly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-fz-'));
    const out = path.join(dir, 'g.ptrace');
    const r = runCli(['import', '--format', 'gvisor', fixture('gvisor-exit-without-entry.log'), '-o', out]);
    expectClean(r, 0);
    expect(runCli(['dump', out]).stdout).toMatch(/write\(1<host:\[2\]>, .*\) = 3/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a derived trace written onto a directory fails in one line and leaves no temporary file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-fz-'));
    const target = path.join(dir, 'sub');
    fs.mkdirSync(target);
    const r = runCli(['scrub', fixture('../native/sh-ls-wc.ptrace'), '-o', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(fs.readdirSync(dir)).toEqual(['sub']);
    expect(fs.readdirSync(target)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
