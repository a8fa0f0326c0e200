import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { descendants, holdSignals, shellStatus, supervise } from '../../src/capture/supervise.js';

describe('shellStatus', () => {
  it('reports exit codes as is and signals as 128+N, like a shell', () => {
    expect(shellStatus(0, null)).toBe(0);
    expect(shellStatus(3, null)).toBe(3);
    expect(shellStatus(null, 'SIGKILL')).toBe(137);
    expect(shellStatus(null, 'SIGTERM')).toBe(143);
    expect(shellStatus(null, 'SIGINT')).toBe(130);
  });
});

describe('supervise', () => {
  it('passes SIGTERM sent to picotrace on to the program and reports its death', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const sup = supervise(child, { targets: () => (child.pid ? [child.pid] : []) });
    const before = process.listenerCount('SIGTERM');
    expect(before).toBeGreaterThan(0);
    process.emit('SIGTERM', 'SIGTERM');
    await expect(sup.done).resolves.toBe(143);
    expect(process.listenerCount('SIGTERM')).toBe(before - 1);
  });

  it('kills the program on the second signal even when it ignores the first', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM HUP; echo ready; sleep 30 & wait; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const sup = supervise(child, { targets: () => (child.pid ? [child.pid] : []) });
    await new Promise((r) => child.stdout!.once('data', r));
    process.emit('SIGHUP', 'SIGHUP');
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    process.emit('SIGHUP', 'SIGHUP');
    await expect(sup.done).resolves.toBe(137);
  });

  it('replays a signal that arrived before supervision started', async () => {
    const held = holdSignals();
    process.emit('SIGTERM', 'SIGTERM');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const sup = supervise(child, { targets: () => (child.pid ? [child.pid] : []), pending: held.release });
    await expect(sup.done).resolves.toBe(143);
    expect(held.release()).toEqual([]);
  });

  it('kills the recorder and program on kill()', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const sup = supervise(child, { targets: () => [] });
    sup.kill();
    await expect(sup.done).resolves.toBe(137);
  });
});

describe('descendants', () => {
  it('lists children and grandchildren, and nothing else', async () => {
    const child = spawn('sh', ['-c', 'sh -c "sleep 30 & wait" & sleep 30 & echo ready; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((r) => child.stdout!.once('data', r));
    await new Promise((r) => setTimeout(r, 100));
    try {
      const found = descendants(child.pid!);
      const comm = (pid: number): string => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      expect(found.map(comm).sort()).toEqual(['sh', 'sleep', 'sleep']);
      expect(found).not.toContain(child.pid);
      expect(descendants(found[found.length - 1])).toEqual([]);
    } finally {
      for (const pid of descendants(child.pid!)) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });
});
