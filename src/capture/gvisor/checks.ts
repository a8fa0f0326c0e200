import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { checkRunsc } from '../checks.js';
import type { EnvCheck } from '../native/checks.js';
import { runscArgs, runscLoggedError, runscPlatform, cleanupRunscState } from './runsc.js';
import { makeWorkDir } from './workdir.js';

function checkMonitorSocket(): EnvCheck {
  try {
    createRequire(import.meta.url)('node-unix-socket');
    return { name: 'gvisor monitor socket', status: 'ok', detail: 'node-unix-socket loads (SOCK_SEQPACKET available)' };
  } catch (err) {
    return { name: 'gvisor monitor socket', status: 'fail', detail: `node-unix-socket does not load: ${(err as Error).message.split('\n')[0]}`, advice: 'reinstall picotrace (npm ci) on linux x64; the monitor source needs its prebuilt binary, or use --source strace-log' };
  }
}

function checkPrivileges(): EnvCheck {
  if (process.getuid?.() === 0) return { name: 'gvisor privileges', status: 'ok', detail: 'running as root' };
  return { name: 'gvisor privileges', status: 'warn', detail: 'not root: runsc needs root to create cgroups and namespaces here', advice: 'run picotrace record --backend gvisor as root' };
}

function checkSandboxStarts(runsc: string): EnvCheck {
  let platform: string;
  try {
    platform = runscPlatform();
  } catch (err) {
    return { name: 'gvisor sandbox', status: 'fail', detail: (err as Error).message };
  }
  const work = makeWorkDir();
  try {
    const args = runscArgs({ runsc, stateDir: work.state, logFile: work.runscLog, platform }, { kind: 'do', argv: ['true'], cwd: '/' });
    const r = spawnSync(runsc, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status === 0) return { name: 'gvisor sandbox', status: 'ok', detail: `runsc --platform=${platform} do true works` };
    const why = runscLoggedError(work.runscLog) ?? (r.error ? r.error.message : String(r.stderr).trim().split('\n').pop());
    return { name: 'gvisor sandbox', status: 'fail', detail: `runsc --platform=${platform} do true failed: ${why}`, advice: 'run as root with a cgroup hierarchy; use the ptrace platform' };
  } finally {
    cleanupRunscState(runsc, work.state);
    work.remove();
  }
}

/** The checks `picotrace doctor` runs for the gvisor backend: runsc present, privileges, the monitor socket library, and a real sandbox start. */
export function gvisorChecks(): EnvCheck[] {
  const found = checkRunsc();
  if (found.status !== 'ok') return [found];
  const runsc = found.detail.split(':')[0];
  const checks = [found, checkPrivileges(), checkMonitorSocket()];
  if (fs.existsSync(runsc)) checks.push(checkSandboxStarts(runsc));
  return checks;
}
