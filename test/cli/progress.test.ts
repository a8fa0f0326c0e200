import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressLine, startProgress, withProgress } from '../../src/cli/progress.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { writeSampleTrace } from '../helpers/sample-trace.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

function fakeTerminal(isTTY = true) {
  const writes: string[] = [];
  return { stream: { isTTY, columns: 100, write: (s: string) => (writes.push(s), true) }, writes };
}

describe('progress line', () => {
  it('stays silent before the delay, then draws done/total, percent, rate and time left', () => {
    let now = 0;
    const t = fakeTerminal();
    const p = startProgress({ label: 'export', total: 1_000_000, stream: t.stream, now: () => now });
    now = 500;
    p.update(100_000);
    expect(t.writes).toEqual([]);
    now = 2000;
    p.update(400_000);
    expect(t.writes).toEqual(['\rexport: 400.0k/1.0M events (40%), 200.0k/s, 3s left\x1b[K']);
    p.finish();
    expect(t.writes[1]).toBe('\r\x1b[K');
  });

  it('redraws at most every interval', () => {
    let now = 2000;
    const t = fakeTerminal();
    const p = startProgress({ label: 'x', total: 10, stream: t.stream, now: () => now, delayMs: 0 });
    p.update(1);
    now += 50;
    p.update(2);
    now += 200;
    p.update(3);
    expect(t.writes.length).toBe(2);
  });

  it('draws nothing when the stream is not a terminal, or with --quiet', () => {
    let now = 0;
    for (const [tty, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const t = fakeTerminal(tty);
      const p = startProgress({ label: 'x', total: 10, stream: t.stream, quiet, now: () => now, delayMs: 0 });
      now += 5000;
      p.update(5);
      p.finish();
      expect(t.writes).toEqual([]);
    }
  });

  it('shows bytes in binary units and no percentage without a total', () => {
    expect(progressLine('import', 3 * 1024 * 1024, 1000, undefined, 'bytes')).toBe('import: 3.0 MiB, 3.0 MiB/s');
    expect(progressLine('diff', 50, 0, 100, 'events')).toBe('diff: 50/100 events (50%), 0/s');
  });

  it('withProgress yields every item and reports the count', async () => {
    let now = 0;
    const t = fakeTerminal();
    const p = startProgress({ label: 'x', total: 10, stream: t.stream, now: () => (now += 1000), delayMs: 0, intervalMs: 0 });
    const seen: number[] = [];
    for await (const n of withProgress([1, 2, 3, 4, 5], p, 2)) seen.push(n);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(t.writes.at(-1)).toMatch(/^\rx: 5\/10 events \(50%\)/);
  });
});

describe.skipIf(!hasScript)('progress on a real terminal (needs script(1) from util-linux for a pty)', () => {
  it('export draws progress on a terminal, erases it at the end, and --quiet silences it', () => {
    const { dir, cleanup } = tempDir();
    try {
      const big = path.join(dir, 'big.ptrace');
      writeSampleTrace(big, { repeat: 15000 });
      const run = (extra: string) =>
        spawnSync('script', ['-qefc', `${process.execPath} ${BIN} export ${big} --format perfetto -o ${path.join(dir, 'out.json')}${extra}`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
      const shown = run('');
      expect(shown.status).toBe(0);
      expect(shown.stdout).toMatch(/\rexport: [\d.]+k?\/225\.0k events \(\d+%\), [\d.]+k?\/s, [\dhms]+ left\x1b\[K/);
      expect(shown.stdout.endsWith('\r\x1b[K')).toBe(true);
      const quiet = run(' --quiet');
      expect(quiet.status).toBe(0);
      expect(quiet.stdout).toBe('');
      const diff = spawnSync('script', ['-qefc', `${process.execPath} ${BIN} diff ${big} ${big} --format json > ${path.join(dir, 'd.json')}`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
      expect(diff.status).toBe(0);
      expect(diff.stdout).toMatch(/\rdiff: [\d.]+k?\/450\.0k events \(\d+%\)/);
    } finally {
      cleanup();
    }
  });

  it('import draws a lines count and rate on a terminal and stays quiet with --quiet', () => {
    const { dir, cleanup } = tempDir();
    try {
      const log = path.join(dir, 'big.log');
      const line = (i: number) => `1234 1700000000.${String(i % 1_000_000).padStart(6, '0')} openat(AT_FDCWD, "/etc/f${i % 97}", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory) <0.000010>\n`;
      const fd = fs.openSync(log, 'w');
      for (let k = 0; k < 8; k++) fs.writeSync(fd, Array.from({ length: 100_000 }, (_, i) => line(k * 100_000 + i)).join(''));
      fs.closeSync(fd);
      const run = (extra: string) =>
        spawnSync('script', ['-qefc', `${process.execPath} ${BIN} import ${log} -o ${path.join(dir, 'out.ptrace')}${extra}`, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
      const shown = run('');
      expect(shown.status).toBe(0);
      expect(shown.stdout).toMatch(/\rimport: [\d.]+k? lines, [\d.]+k?\/s\x1b\[K/);
      const quiet = run(' --quiet');
      expect(quiet.status).toBe(0);
      expect(quiet.stdout).not.toMatch(/\rimport:/);
    } finally {
      cleanup();
    }
  });
});
