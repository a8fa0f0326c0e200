import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const hasRunsc = spawnSync('runsc', ['--version']).status === 0;
const hasStrace = spawnSync('strace', ['-V']).status === 0;

interface DiffJson {
  equal: boolean;
  divergences: { kind: string; name: string; pair: number; first: boolean; enosys: boolean; a: { seq: number; index: number; line: string } | null; b: { seq: number; index: number; line: string } | null }[];
}

describe.skipIf(!hasRunsc || !hasStrace)('native against gVisor (needs strace and runsc; CI installs both)', () => {
  let dir: string;
  let cleanup: () => void;
  let native: string;
  let gvisor: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(work, 'demo.txt'), 'hi\n');
    native = path.join(dir, 'native.ptrace');
    gvisor = path.join(dir, 'gvisor.ptrace');
    expect(runCli(['record', '-o', native, '--', '/usr/bin/ls', 'demo.txt'], { cwd: work }).code).toBe(0);
    const g = runCli(['record', '--backend', 'gvisor', '-o', gvisor, '--', '/usr/bin/ls', 'demo.txt'], { cwd: work });
    expect(fs.existsSync(gvisor), g.stderr).toBe(true);
  });
  afterAll(() => cleanup());

  const diff = (...extra: string[]) => {
    const r = runCli(['diff', '--format', 'json', '--all', ...extra, native, gvisor]);
    expect(r.code, r.stderr).toBe(1);
    return JSON.parse(r.stdout) as DiffJson;
  };

  it("reports glibc's rseq registration first: 0 natively, ENOSYS under gVisor", () => {
    const first = diff().divergences[0];
    expect(first).toMatchObject({ kind: 'errno', name: 'rseq', first: true, enosys: true });
    expect(first.a!.line).toMatch(/^rseq\(.*\) = 0$/);
    expect(first.b!.line).toMatch(/^rseq\(.*\) = -1 ENOSYS/);
  });

  it('a suppressions file hiding rseq makes the next real divergence come first', () => {
    const all = diff().divergences;
    const supp = path.join(dir, 'rseq.supp');
    fs.writeFileSync(supp, '# glibc registers rseq; gVisor (2022) does not implement it\ncall=rseq errno=ENOSYS\n');
    const r = diff('--suppressions', supp).divergences;
    expect(r.length).toBe(all.length - 1);
    expect(r[0].name).not.toBe('rseq');
    expect(r[0].first).toBe(true);
    expect(r[0]).toMatchObject({ name: all[1].name, kind: all[1].kind });
    expect((r[0].a ?? r[0].b)!.index).toBeGreaterThan(all[0].a!.index);
  });

  it('bisect finds the same first divergence from the stream digests', () => {
    const b = runCli(['bisect', '--json', native, gvisor]);
    expect(b.code).toBe(1);
    const j = JSON.parse(b.stdout) as { method: string; pairs: { index: number | null; a_seq: number | null }[] };
    expect(j.method).toBe('digests');
    const first = diff().divergences[0];
    expect(j.pairs[0].index).toBe(first.a!.index);
    expect(j.pairs[0].a_seq).toBe(first.a!.seq);
  });

  it('the markdown report names both runs and shows the rseq lines in a diff block', () => {
    const r = runCli(['diff', '--format', 'markdown', native, gvisor]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('- **B**:');
    expect(r.stdout).toMatch(/```diff\n(.*\n)*- rseq\(.*\) = 0\n\+ rseq\(.*\) = -1 ENOSYS/);
  });
});
