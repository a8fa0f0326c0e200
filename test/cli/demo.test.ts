import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const hasRunsc = spawnSync('runsc', ['--version']).status === 0;
const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('picotrace demo', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('--shipped diffs the traces shipped in traces/demo, says so, and prints the next commands', () => {
    const out = path.join(dir, 'shipped');
    const r = runCli(['demo', '--shipped', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/using the native\.ptrace shipped in .*traces\/demo/);
    expect(r.stderr).toMatch(/using the gvisor\.ptrace shipped in/);
    expect(r.stdout).toMatch(/rseq: 0 in A, ENOSYS in B/);
    expect(r.stdout).toContain(`picotrace replay ${out}/native.ptrace --diff ${out}/gvisor.ptrace`);
    expect(fs.statSync(path.join(out, 'gvisor.ptrace')).mode & 0o777).toBe(0o600);
  });

  // stdout and stderr go to files: a pipe that runsc shared with the sandbox stops taking writes afterwards
  it.skipIf(!hasRunsc || !hasStrace)('records the workload natively and under gVisor when both work (CI installs strace and runsc)', () => {
    const out = path.join(dir, 'live');
    const outFile = path.join(dir, 'live.stdout');
    const errFile = path.join(dir, 'live.stderr');
    const fds = [fs.openSync(outFile, 'w'), fs.openSync(errFile, 'w')];
    const run = runCli(['demo', '--out', out], { cwd: dir, stdio: ['ignore', fds[0], fds[1]] });
    fds.forEach((fd) => fs.closeSync(fd));
    const r = { code: run.code, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8') };
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('recording under gVisor');
    expect(r.stderr).not.toContain('shipped');
    expect(r.stdout).toMatch(/process 1 \/bin\/sh .*first divergence/);
    expect(r.stdout).toMatch(/rseq: 0 in A, ENOSYS in B/);
    const info = runCli(['info', '--json', path.join(out, 'gvisor.ptrace')]);
    expect(JSON.parse(info.stdout).header.backend).toBe('gvisor');
  });
});
