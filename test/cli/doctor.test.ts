import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('picotrace doctor', () => {
  it.skipIf(!hasStrace)('reports strace, ptrace and runsc and exits 0 when recording can work', () => {
    const r = runCli(['doctor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+strace\s+\S+ version 6\./m);
    expect(r.stdout).toMatch(/ptrace probe\s+strace traced a test program/);
    expect(r.stdout).toMatch(/runsc/);
    const j = JSON.parse(runCli(['doctor', '--json']).stdout);
    expect(j.ok).toBe(true);
    expect(j.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['strace', 'ptrace_scope', 'seccomp', 'runsc']));
  });

  it('says what to do and exits 4 when strace is missing', () => {
    const r = runCli(['doctor', '--backend', 'native'], { env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^FAIL\s+strace\s+not found on PATH\n\s+-> install strace/m);
  });
});
