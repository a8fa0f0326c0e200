import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../util/root.js';

/** bin/picotrace.js, whose shell part holds the watchdog (picotrace_watchdog), shared with its early record start. */
const BIN = path.join(PACKAGE_ROOT, 'bin', 'picotrace.js');

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
 * Starts a small guard shell, in its own process group, that reads pids on a pipe from picotrace;
 * when the pipe closes without disarm() (picotrace died), it SIGKILLs every pid still listed, their
 * descendants first, removes `tmpDir`, and removes `trace` if nothing was written to it yet.
 */
export function startWatchdog(tmpDir = '', trace = ''): Watchdog {
  let child: ChildProcess | undefined;
  try {
    child = spawn('/bin/sh', [BIN, '--picotrace-watchdog', tmpDir, trace], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    child = undefined;
  }
  const stdin = child?.stdin;
  child?.on('error', () => undefined);
  stdin?.on('error', () => undefined);
  child?.unref();
  (stdin as unknown as { unref?: () => void } | undefined)?.unref?.();
  return speak(
    (line) => {
      if (stdin && !stdin.destroyed) stdin.write(line);
    },
    () => stdin?.end(),
  );
}

/** The watchdog's protocol over a way to send it a line and one to close its stdin: "+ PID", "- PID", then "x". */
function speak(write: (line: string) => void, end: () => void): Watchdog {
  let open = true;
  const send = (line: string): void => {
    if (open) write(`${line}\n`);
  };
  return {
    add: (pid) => send(`+ ${pid}`),
    remove: (pid) => send(`- ${pid}`),
    disarm: () => {
      send('x');
      if (open) end();
      open = false;
    },
  };
}

/**
 * The watchdog bin/picotrace.js started before Node ran (its early record start), reading the pipe
 * this process holds as `fd`: the same protocol as startWatchdog's.
 */
export function watchdogOnFd(fd: number): Watchdog {
  return speak(
    (line) => {
      try {
        fs.writeSync(fd, line);
      } catch {
        /* the watchdog is gone: nothing left to tell it */
      }
    },
    () => {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    },
  );
}
