import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
const fs = require('node:fs');
const pids = new Set();
let rest = '';
let disarmed = false;
process.stdin.on('data', (d) => {
  rest += d;
  const lines = rest.split('\\n');
  rest = lines.pop();
  for (const l of lines) {
    const [op, arg] = [l.slice(0, 1), l.slice(2)];
    if (op === '+') pids.add(Number(arg));
    else if (op === '-') pids.delete(Number(arg));
    else if (op === 'x') disarmed = true;
  }
});
process.stdin.on('end', () => {
  if (disarmed) return;
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} }
  const dir = process.argv[1];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
`;

/** Kills what a recording started if picotrace itself dies (even by SIGKILL); disarm() when it ends normally. */
export interface Watchdog {
  /** Processes to kill should picotrace die. */
  add(pid: number): void;
  /** A process that has ended (its pid may be reused). */
  remove(pid: number): void;
  /** Picotrace ended normally: the watchdog exits without killing anything. */
  disarm(): void;
}

/**
 * Starts a small guard process, in its own process group, that reads pids on a pipe from picotrace;
 * when the pipe closes without disarm() (picotrace died), it SIGKILLs every pid still listed and
 * removes `tmpDir`.
 */
export function startWatchdog(tmpDir = ''): Watchdog {
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, ['-e', SCRIPT, tmpDir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    child = undefined;
  }
  const stdin = child?.stdin;
  child?.on('error', () => undefined);
  stdin?.on('error', () => undefined);
  child?.unref();
  (stdin as unknown as { unref?: () => void } | undefined)?.unref?.();
  const send = (line: string): void => {
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    add: (pid) => send(`+ ${pid}`),
    remove: (pid) => send(`- ${pid}`),
    disarm: () => {
      send('x');
      stdin?.end();
    },
  };
}
