import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

function running(arg: string): boolean {
  return fs.readdirSync('/proc').some((d) => {
    try {
      return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/cmdline`, 'latin1').includes(arg);
    } catch {
      return false;
    }
  });
}

describe.skipIf(!hasStrace)('the recording watchdog (needs strace: CI installs it)', () => {
  it('kills the descendants of the pids it was given, then them, when its owner dies without disarming it', async () => {
    // The owner starts strace on a shell with two sleeps, tells the watchdog only strace's pid (as
    // picotrace does before it has parsed a line), and exits. A traced program outlives a killed
    // strace, so the watchdog must find the program as strace's descendants.
    const tag = `44.${process.pid % 1000}${Date.now() % 1000}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-watchdog-'));
    const owner = `
      import { spawn } from 'node:child_process';
      const { startWatchdog } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'capture', 'watchdog.js'))});
      const strace = spawn('strace', ['-f', '-o', '/dev/null', 'sh', '-c', 'sleep ${tag} & sleep ${tag}; wait'], { stdio: 'ignore' });
      const w = startWatchdog(${JSON.stringify(dir)});
      w.add(strace.pid);
      const seen = () => import('node:fs').then((fs) => fs.readdirSync('/proc').some((d) => { try { return fs.readFileSync('/proc/' + d + '/cmdline', 'latin1') === 'sleep\\x00${tag}\\x00'; } catch { return false; } }));
      while (!(await seen())) await new Promise((r) => setTimeout(r, 5));
      // Settled in their sleep: a tracee that strace is still attaching to may die with it anyway.
      await new Promise((r) => setTimeout(r, 300));
      process.exit(0);
    `;
    const r = spawn(process.execPath, ['--input-type=module', '-e', owner], { stdio: 'ignore' });
    await new Promise((resolve) => r.on('exit', resolve));
    try {
      for (let i = 0; i < 300 && (running(tag) || fs.existsSync(dir)); i++) await new Promise((res) => setTimeout(res, 10));
      expect(running(tag)).toBe(false);
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      spawnSync('pkill', ['-KILL', '-f', tag]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
