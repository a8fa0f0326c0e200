import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeSampleTrace } from '../helpers/sample-trace.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
/** A deterministic process tree: a static shell that forks, fails a lookup, reads files and writes to a pipe. */
const COMMAND = ['/bin/busybox', 'sh', '-c', 'ls /nonexistent-dir 2>/dev/null; cat /etc/hostname /etc/passwd >/dev/null; /bin/busybox true'];

/** Parses `strace -c` output (fixed columns: %time seconds usecs/call calls errors syscall) into name -> [calls, errors]. */
function parseStraceSummary(text: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of text.split('\n')) {
    const m = /^\s*\d+\.\d+\s+\d+\.\d+\s+(?:\d+\s+)?(\d+)\s+(?:(\d+)\s+)?([a-z_0-9]+)$/.exec(line);
    if (m && m[3] !== 'total') out.set(m[3], [Number(m[1]), Number(m[2] ?? 0)]);
  }
  return out;
}

describe('picotrace stats', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it.skipIf(!hasStrace)('agrees with strace -c -f on calls and errors for the same deterministic command, recorded or imported (needs strace)', () => {
    const summary = path.join(dir, 'c.txt');
    expect(spawnSync('strace', ['-f', '-c', '-o', summary, '--', ...COMMAND]).status).toBe(0);
    const theirs = parseStraceSummary(fs.readFileSync(summary, 'utf8'));
    expect(theirs.size).toBeGreaterThan(15);
    const recorded = path.join(dir, 'recorded.ptrace');
    expect(runCli(['record', '-o', recorded, '--', ...COMMAND]).code).toBe(0);
    const log = path.join(dir, 'log.txt');
    expect(spawnSync('strace', ['-f', '-ttt', '-T', '-o', log, '--', ...COMMAND]).status).toBe(0);
    const imported = path.join(dir, 'imported.ptrace');
    expect(runCli(['import', log, '-o', imported]).code).toBe(0);
    for (const trace of [recorded, imported]) {
      const r = runCli(['stats', trace, '--json']);
      expect(r.code).toBe(0);
      const ours = new Map<string, [number, number]>();
      for (const row of JSON.parse(r.stdout).rows) ours.set(row.key, [row.calls, row.errors]);
      // strace -c leaves out calls that never return (exit_group); the trace keeps them as calls.
      ours.delete('exit_group');
      ours.delete('exit');
      expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs));
    }
    const text = runCli(['stats', recorded]).stdout;
    expect(text).toMatch(/^% time +seconds +usecs\/call +calls +errors syscall\n/);
    expect(text).toMatch(/\n *\d+\.\d+ +\d+\.\d{6} +\d+ +3 +1 newfstatat\n/);
  });

  it('prints the table per process, errno and path, with --top', () => {
    const t = path.join(dir, 's.ptrace');
    writeSampleTrace(t, { repeat: 2 });
    const p = runCli(['stats', t, '--by', 'process']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/ 100 +\/bin\/sh -c cat \/home\/alice\/secret.txt\n/);
    expect(p.stdout).toMatch(/ 101 +cat \/home\/alice\/secret.txt\n/);
    const e = runCli(['stats', t, '--by', 'errno']);
    expect(e.stdout).toMatch(/\n +2 +ENOENT +newfstatat 2\n/);
    const f = runCli(['stats', t, '--by', 'path', '--top', '1']);
    expect(f.stdout).toMatch(/\n +8 +\/home\/alice\/secret.txt +\(read 4, close 2, openat 2\)\n +\.\.\. 3 more\n/);
    const j = JSON.parse(runCli(['stats', t, '--by', 'path', '--json']).stdout);
    expect(j.rows.find((r: { key: string }) => r.key === '/home/alice/.config')).toMatchObject({ calls: 2, errors: 2 });
    expect(p.stderr).toBe('');
  });

  it('rejects bad options and input with one line', () => {
    const t = path.join(dir, 's2.ptrace');
    writeSampleTrace(t);
    const by = runCli(['stats', t, '--by', 'color']);
    expect(by.code).toBe(2);
    expect(by.stderr).toMatch(/^picotrace: --by: expected one of call, process, errno, path \(got "color"\)\n$/);
    expect(runCli(['stats', t, '--top', '0']).code).toBe(2);
    const missing = runCli(['stats', path.join(dir, 'nope.ptrace')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n').length).toBe(2);
  });
});
