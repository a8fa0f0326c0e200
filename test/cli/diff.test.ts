import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../src/compare/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** Children that finish in the order given by $0 and $1 (sleep times), so their events interleave differently. */
const FORKS = '(/bin/sleep $0; echo a) & (/bin/sleep $1; echo b) & wait';

interface DiffJson {
  equal: boolean;
  totalDivergences: number;
  divergences: { kind: string; name: string; pair: number; first: boolean; a: { seq: number; index: number } | null; b: { seq: number; index: number } | null }[];
}
interface BisectJson {
  method: string;
  chunksRead: number;
  pairs: { a: { task: string } | null; b: { task: string } | null; index: number | null; a_seq: number | null; b_seq: number | null }[];
}

describe('picotrace diff, bisect and check on real recordings', () => {
  let dir: string;
  let cleanup: () => void;
  const t: Record<string, string> = {};
  const record = (name: string, argv: string[]) => {
    t[name] = path.join(dir, `${name}.ptrace`);
    const r = runCli(['record', '-o', t[name], '--', ...argv], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  };
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    record('same1', ['/bin/busybox', 'sh', '-c', 'cat /etc/hostname >/dev/null; ls / >/dev/null']);
    record('same2', ['/bin/busybox', 'sh', '-c', 'cat /etc/hostname >/dev/null; ls / >/dev/null']);
    record('other', ['/bin/busybox', 'sh', '-c', 'cat /etc/hostname >/dev/null; ls /nonexistent 2>/dev/null; ls / >/dev/null']);
    record('forkAB', ['/bin/busybox', 'sh', '-c', FORKS, '0', '0.3']);
    record('forkBA', ['/bin/busybox', 'sh', '-c', FORKS, '0.3', '0']);
  });
  afterAll(() => cleanup());

  it('two runs of the same program are equal after normalization (exit 0)', () => {
    const r = runCli(['diff', t.same1, t.same2]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('no divergences');
    expect(r.code).toBe(0);
  });

  it('children that ran in a different order are paired by creation order and program (loose: wait4 order aside)', () => {
    const r = runCli(['diff', '--loose', '--format', 'json', t.forkAB, t.forkBA]);
    expect(JSON.parse(r.stdout).equal).toBe(true);
    expect(r.code).toBe(0);
  });

  it('reports a different program with a first divergence per process, in every format (exit 1)', () => {
    const text = runCli(['diff', t.same1, t.other]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/first divergence/);
    expect(text.stdout).not.toMatch(/\x1b\[/);
    const json = runCli(['diff', '--format', 'json', '--all', t.same1, t.other]);
    expect(json.code).toBe(1);
    const j = JSON.parse(json.stdout) as DiffJson;
    expect(j.equal).toBe(false);
    expect(j.divergences.length).toBe(j.totalDivergences);
    expect(j.divergences.some((d) => d.kind === 'process-only-b' || d.kind === 'only-b')).toBe(true);
    const md = runCli(['diff', '--format', 'markdown', t.same1, t.other]);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('```diff');
    expect(md.stdout).toMatch(/^\| call \| total \|/m);
  });

  it('--write-suppressions writes rules that make the same diff equal; a new deviation still shows', () => {
    const supp = path.join(dir, 'accepted.supp');
    const w = runCli(['diff', t.same1, t.other, '--write-suppressions', supp]);
    expect(w.code).toBe(1);
    expect(fs.readFileSync(supp, 'utf8')).toMatch(/^call=\S+ kind=/m);
    const again = runCli(['diff', t.same1, t.other, '--suppressions', supp]);
    expect(again.stdout).toContain('suppressed');
    expect(again.code).toBe(0);
    const forks = runCli(['diff', t.same1, t.forkAB, '--suppressions', supp]);
    expect(forks.code).toBe(1);
  });

  it('a bad suppressions file is one line with file:line (exit 2)', () => {
    const bad = path.join(dir, 'bad.supp');
    fs.writeFileSync(bad, '# ok\ncall=rseq\ncall=rseq errno=nope\n');
    const r = runCli(['diff', t.same1, t.other, '--suppressions', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`picotrace: ${bad}:3: errno: expected an errno name such as ENOSYS, "none" for success, or *\n`);
  });

  it('--pid keeps only the named processes (task positions or pids)', () => {
    const all = JSON.parse(runCli(['diff', '--format', 'json', t.same1, t.other]).stdout) as DiffJson & { pairs: unknown[] };
    const one = runCli(['diff', '--format', 'json', '--pid', '1', t.same1, t.other]);
    const j = JSON.parse(one.stdout) as DiffJson & { pairs: { a: { task: string } | null }[] };
    expect(j.pairs.map((p) => p.a?.task)).toEqual(['1']);
    expect(all.pairs.length).toBeGreaterThan(1);
    expect(runCli(['diff', '--pid', '1.x', t.same1, t.other]).code).toBe(2);
  });

  it('--explain-normalization lists every rule of both profiles', () => {
    const r = runCli(['diff', '--explain-normalization']);
    expect(r.code).toBe(0);
    for (const rule of RULES) expect(r.stdout).toContain(rule.name);
    expect(r.stdout.split('\n')[0]).toMatch(/rule\s+strict\s+loose/);
  });

  it('bisect agrees with a full diff on a real pair, from the stored digests', () => {
    const b = runCli(['bisect', '--json', t.same1, t.other]);
    expect(b.code).toBe(1);
    const bj = JSON.parse(b.stdout) as BisectJson;
    expect(bj.method).toBe('digests');
    const d = JSON.parse(runCli(['diff', '--format', 'json', t.same1, t.other]).stdout) as DiffJson;
    const fromDiff = d.divergences.filter((x) => x.first && x.kind !== 'data').map((x) => [x.pair, x.a?.index ?? x.b?.index ?? 0]);
    const fromBisect = bj.pairs.map((p, i) => [i, p.index]).filter(([, index]) => index !== null);
    expect(fromBisect.length).toBeGreaterThan(0);
    expect(fromBisect).toEqual(fromDiff);
    const eq = runCli(['bisect', t.same1, t.same2]);
    expect(eq.code).toBe(0);
    expect(eq.stdout).toMatch(/read 0 of \d+ chunks/);
  });

  it('check records a command and diffs it against a golden trace: 0 same, 1 different', () => {
    const ok = runCli(['check', '--against', t.same1, '--', '/bin/busybox', 'sh', '-c', 'cat /etc/hostname >/dev/null; ls / >/dev/null'], { cwd: dir });
    expect(ok.stdout).toContain('no divergences');
    expect(ok.code).toBe(0);
    const bad = runCli(['check', '--against', t.same1, '--', '/bin/busybox', 'sh', '-c', 'cat /etc/hostname >/dev/null; ls /etc >/dev/null'], { cwd: dir });
    expect(bad.code).toBe(1);
  });

  it.each([
    [['diff', 'only-one.ptrace'], 2, /give two trace files/],
    [['diff', '--format', 'html', 'a', 'b'], 2, /--format/],
    [['diff', '--strict', '--loose', 'a', 'b'], 2, /exclude each other/],
    [['diff', '/nonexistent/a.ptrace', '/nonexistent/b.ptrace'], 2, /no such file/],
    [['check', '--', 'true'], 2, /--against/],
  ])('usage errors are one line: %j', (args, code, msg) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a trace that is not a trace is exit 3', () => {
    const junk = path.join(dir, 'junk.ptrace');
    fs.writeFileSync(junk, 'not a trace at all, just text\n'.repeat(4));
    const r = runCli(['diff', t.same1, junk]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
