import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureEnvError } from '../../util/errors.js';

/** The private 0700 directory of one gVisor recording and the files inside it. */
export interface WorkDir {
  dir: string;
  socket: string;
  config: string;
  state: string;
  runscLog: string;
  straceLogs: string;
  remove(): void;
}

/** Creates the private directory (mode 0700) holding the monitoring socket, session config, runsc state and logs. */
export function makeWorkDir(): WorkDir {
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-gvisor-'));
    fs.chmodSync(dir, 0o700);
  } catch (err) {
    throw new CaptureEnvError(`cannot create a private directory in ${os.tmpdir()}: ${(err as Error).message}`, 'check that TMPDIR is writable');
  }
  const state = path.join(dir, 'state');
  const straceLogs = path.join(dir, 'logs');
  fs.mkdirSync(state, { mode: 0o700 });
  fs.mkdirSync(straceLogs, { mode: 0o700 });
  return {
    dir,
    socket: path.join(dir, 'monitor.sock'),
    config: path.join(dir, 'session.json'),
    state,
    runscLog: path.join(dir, 'runsc.log'),
    straceLogs,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
