import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

const TRACE = path.join(ROOT, 'traces', 'replay', 'sh-pipeline.ptrace');
const SOCKET = `picotrace-test-${process.pid}`;
const SESSION = 'replay';
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function screen(): string[] {
  return tmux('capture-pane', '-p', '-t', SESSION).split('\n');
}

async function waitFor(what: string, pred: (lines: string[]) => boolean, ms = 15000): Promise<string[]> {
  const end = Date.now() + ms;
  let lines = screen();
  while (!pred(lines)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
    lines = screen();
  }
  return lines;
}

function keys(...k: string[]): void {
  tmux('send-keys', '-t', SESSION, ...k);
}

const status = (lines: string[]) => lines[23] ?? '';
const cursorRow = (lines: string[]) => lines.slice(0, 12).find((l) => l.startsWith('>')) ?? '';
const seqOf = (lines: string[]) => Number(/^#(\d+)\//.exec(status(lines))?.[1] ?? -1);

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!hasTmux)('picotrace replay in a terminal (tmux, 80x24)', () => {
  it('steps, searches, finds the next error, stops at a breakpoint, reverse-continues, shows help and quits', async () => {
    const cmd = `TERM=xterm-256color ${process.execPath} ${BIN} replay ${TRACE}; echo "replay exited with $?"; sleep 60`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '80', '-y', '24', cmd);
    let s = await waitFor('the first screen', (l) => /^#0\/528 /.test(status(l)));
    expect(cursorRow(s)).toMatch(/^> +0 \d+ \+\+\+ process started \(root\)/);
    expect(s.join('\n')).toContain('detail #0');
    expect(s.join('\n')).toMatch(/fds \(3\):/);
    for (const l of s) expect(l.length).toBeLessThanOrEqual(80);

    keys('j', 'j', 'j');
    s = await waitFor('three steps', (l) => seqOf(l) === 3);
    expect(cursorRow(s)).toMatch(/^> +3 \d+ brk\(NULL\)/);
    keys('k');
    s = await waitFor('one step back', (l) => seqOf(l) === 2);

    keys('/', 'ld\\.so\\.cache', 'Enter');
    s = await waitFor('the search hit', (l) => /openat\(.*ld\.so\.cache/.test(cursorRow(l)));
    expect(status(s)).toContain('/ld\\.so\\.cache/');
    keys('n');
    s = await waitFor('the next match', (l) => /newfstatat\(3<\/etc\/ld\.so\.cache>/.test(cursorRow(l)));

    keys('e');
    s = await waitFor('the next failing call', (l) => l.some((x) => x.startsWith('errno ENOENT (2): No such file')));
    expect(s.join('\n')).toMatch(/result -1 ENOENT/);
    expect(cursorRow(s)).toMatch(/newfstatat\(/);

    keys('b', 'call=dup2', 'Enter');
    s = await waitFor('the breakpoint set', (l) => /break call=dup2/.test(status(l)));
    keys('c');
    s = await waitFor('the first dup2', (l) => /dup2\(/.test(cursorRow(l)));
    const first = seqOf(s);
    keys('c');
    s = await waitFor('the second dup2', (l) => /dup2\(/.test(cursorRow(l)) && seqOf(l) > first);
    const second = seqOf(s);
    keys('C');
    s = await waitFor('reverse-continue back to the first dup2', (l) => seqOf(l) === first);
    expect(second).toBeGreaterThan(first);
    expect(s.join('\n')).toMatch(/state after #\d+ \(pid \d+\)/);

    keys('?');
    s = await waitFor('the help screen', (l) => l.some((x) => x.includes('picotrace replay: keys')));
    expect(s.join('\n')).toMatch(/reverse-continue/);
    expect(s.join('\n')).toMatch(/q C-c +quit/);
    keys('x');
    await waitFor('help closed', (l) => seqOf(l) === first);

    keys('q');
    s = await waitFor('the exit', (l) => l.some((x) => x.includes('replay exited with 0')));
  });
});
