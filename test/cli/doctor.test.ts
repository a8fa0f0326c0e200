import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('picotrace doctor', () => {
  it.skipIf(!hasStrace)('reports strace and ptrace, exits 0 when native recording can work, and lists runsc among all backends', () => {
    const r = runCli(['doctor', '--backend', 'native']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+strace\s+\S+ version 6\./m);
    expect(r.stdout).toMatch(/ptrace probe\s+strace traced a test program/);
    const j = JSON.parse(runCli(['doctor', '--backend', 'native', '--json']).stdout);
    expect(j.ok).toBe(true);
    expect(j.checks.map((c: { name: string }) => c.name)).toEqual(['strace', 'ptrace_scope', 'CAP_SYS_PTRACE', 'seccomp', 'fifo', 'taskset', 'ptrace probe']);
    expect(r.stdout).toMatch(/^ok\s+taskset\s+\S+taskset \(for record --cpu; CPUs [0-9,-]+\)$/m);
    const all = runCli(['doctor']);
    expect(all.stdout).toMatch(/^\w+\s+strace\s/m);
    expect(all.stdout).toMatch(/^\w+\s+runsc\s/m);
  });

  it('says what to do and exits 4 when strace is missing', () => {
    const r = runCli(['doctor', '--backend', 'native'], { env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^FAIL\s+strace\s+not found on PATH\n\s+-> install strace/m);
  });
});
