import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
/** Copies a data file (different contents in the two runs) and reads a file that exists only in run B. */
const SCRIPT = 'dd if=data.txt of=copy.txt 2>/dev/null; cat maybe.txt 2>/dev/null; echo done';

interface DiffJson {
  divergences: { kind: string; name: string; pair: number; a?: { seq: number }; b?: { seq: number } }[];
}
interface BisectJson {
  pairs: { index: number; a_seq: number | null; b_seq: number | null }[];
}

describe.skipIf(!hasStrace)('diff and bisect of scrubbed traces (needs strace)', () => {
  let dir: string;
  let cleanup: () => void;
  const t: Record<string, string> = {};
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    for (const side of ['a', 'b']) {
      const run = path.join(dir, side);
      fs.mkdirSync(run);
      fs.writeFileSync(path.join(run, 'data.txt'), side === 'a' ? 'alpha contents\n' : 'bravo contents\n');
      if (side === 'b') fs.writeFileSync(path.join(run, 'maybe.txt'), 'present\n');
      t[side] = path.join(dir, `${side}.ptrace`);
      const r = runCli(['record', '-o', t[side], '--', '/bin/busybox', 'sh', '-c', SCRIPT], { cwd: run });
      expect(r.code).toBe(0);
      t[`${side}s`] = path.join(dir, `${side}.scrubbed.ptrace`);
      expect(runCli(['scrub', t[side], '-o', t[`${side}s`]]).code).toBe(0);
    }
  });
  afterAll(() => cleanup());

  const divergences = (a: string, b: string) => {
    const r = runCli(['diff', a, b, '--all', '--format', 'json']);
    expect(r.code).toBe(1);
    return (JSON.parse(r.stdout) as DiffJson).divergences.map((d) => [d.pair, d.kind, d.name, d.a?.seq, d.b?.seq]);
  };

  it('diff reports the same divergences, data ones included, as between the originals', () => {
    const original = divergences(t.a, t.b);
    expect(original.some(([, kind, name]) => kind === 'data' && name === 'read')).toBe(true);
    expect(original.some(([, kind, name]) => kind === 'errno' && name === 'openat')).toBe(true);
    expect(divergences(t.as, t.bs)).toEqual(original);
  });

  it('bisect finds the same first divergence of every process', () => {
    const first = (a: string, b: string) => (JSON.parse(runCli(['bisect', a, b, '--json']).stdout) as BisectJson).pairs.map((p) => [p.index, p.a_seq, p.b_seq]);
    expect(first(t.as, t.bs)).toEqual(first(t.a, t.b));
  });

  it('a scrubbed trace is equal to a scrub of itself under diff', () => {
    expect(runCli(['diff', t.as, t.as]).code).toBe(0);
  });
});

const hasRunsc = spawnSync('runsc', ['--version']).status === 0;

describe.skipIf(!hasStrace || !hasRunsc)('diff of a scrubbed native and gVisor pair (needs strace and runsc; CI installs both)', () => {
  it('reports the same divergences as the unscrubbed pair', () => {
    const { dir, cleanup } = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'data.txt'), 'shared contents\n');
      const t: Record<string, string> = {};
      for (const backend of ['native', 'gvisor']) {
        t[backend] = path.join(dir, `${backend}.ptrace`);
        expect(runCli(['record', '--backend', backend, '-o', t[backend], '--', '/bin/busybox', 'dd', `if=${dir}/data.txt`, `of=${dir}/copy-${backend}.txt`]).code).toBe(0);
        t[`${backend}s`] = path.join(dir, `${backend}.scrubbed.ptrace`);
        expect(runCli(['scrub', t[backend], '-o', t[`${backend}s`]]).code).toBe(0);
      }
      const divergences = (a: string, b: string) =>
        (JSON.parse(runCli(['diff', a, b, '--all', '--format', 'json']).stdout) as DiffJson).divergences.map((d) => [d.pair, d.kind, d.name, d.a?.seq, d.b?.seq]);
      const original = divergences(t.native, t.gvisor);
      expect(original.length).toBeGreaterThan(0);
      expect(divergences(t.natives, t.gvisors)).toEqual(original);
    } finally {
      cleanup();
    }
  });
});
