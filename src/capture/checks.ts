import { spawnSync } from 'node:child_process';
import { findExecutable, type EnvCheck } from './native/checks.js';

/** Checks for runsc (gVisor), which only the gvisor backend needs: present, and its version. */
export function checkRunsc(): EnvCheck {
  const bin = findExecutable('runsc');
  if (!bin) return { name: 'runsc', status: 'info', detail: 'not found on PATH (needed only for --backend gvisor)', advice: 'install gVisor: apt-get install runsc' };
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const line = String(r.stdout ?? '').split('\n')[0].trim();
  if (r.status !== 0 || !line) return { name: 'runsc', status: 'warn', detail: `${bin} does not run: ${String(r.stderr ?? r.error?.message ?? '').trim().split('\n')[0]}`, advice: 'reinstall gVisor (runsc)' };
  return { name: 'runsc', status: 'ok', detail: `${bin}: ${line}` };
}
