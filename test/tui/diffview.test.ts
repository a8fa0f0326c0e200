import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

const NATIVE = path.join(ROOT, 'traces', 'demo', 'native.ptrace');
const GVISOR = path.join(ROOT, 'traces', 'demo', 'gvisor.ptrace');
const SOCKET = `picotrace-diff-test-${process.pid}`;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe('replay --diff', () => {
  it('--script walks the divergences in the order diff ranks them, both sides on one row', () => {
    const r = runCli(['replay', NATIVE, '--diff', GVISOR, '--script', 'next-div; next-div; prev-div; prev-div; show 1']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe('> next-div');
    expect(out[1]).toMatch(/^divergence 1 of \d+: rseq: 0 in A, ENOSYS in B/);
    expect(out[2]).toMatch(/^>! +25 rseq\(.*\) = 0 +\| +24 rseq\(.*\) = -1 ENOSYS/);
    expect(out[4]).toMatch(/^divergence 2 of /);
    expect(out[7]).toMatch(/^divergence 1 of /);
    expect(out[10]).toBe('! no earlier divergence');
    expect(out.slice(12, 15).filter((l) => l.startsWith('>'))).toHaveLength(1);
  });

  it('rejects replay commands that diff mode does not have', () => {
    const r = runCli(['replay', NATIVE, '--diff', GVISOR, '--script', 'next-error']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/in diff mode the commands are next-div, prev-div/);
  });

  it.skipIf(!hasTmux)('on a terminal: opens at the first divergence, n and N move between divergences, q quits (tmux 120x30)', async () => {
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', 'diff').split('\n');
    const waitFor = async (what: string, pred: (l: string[]) => boolean) => {
      const end = Date.now() + 40000;
      let l = screen();
      while (!pred(l)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${l.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
        l = screen();
      }
      return l;
    };
    const status = (l: string[]) => l[29] ?? '';
    tmux('new-session', '-d', '-s', 'diff', '-x', '120', '-y', '30', `TERM=xterm-256color ${process.execPath} ${BIN} replay ${NATIVE} --diff ${GVISOR}; echo "exited with $?"; sleep 60`);
    let s = await waitFor('the first divergence', (l) => /divergence 1\/\d+ +rseq: 0 in A, ENOSYS in B/.test(status(l)));
    expect(s[0]).toMatch(/A: .*native\.ptrace.* B: .*gvisor\.ptrace/);
    expect(s.some((l) => /^>! +25 rseq\(/.test(l))).toBe(true);
    tmux('send-keys', '-t', 'diff', 'n');
    s = await waitFor('the second divergence', (l) => /divergence 2\//.test(status(l)));
    tmux('send-keys', '-t', 'diff', 'N');
    s = await waitFor('back to the first', (l) => /divergence 1\//.test(status(l)));
    tmux('send-keys', '-t', 'diff', 'q');
    await waitFor('the exit', (l) => l.some((x) => x.startsWith('exited with 0')));
  });
});
