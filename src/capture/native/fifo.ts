import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Bytes read from the FIFO but not yet consumed above which the reader thread pauses (strace then blocks). */
export const MAX_BUFFERED_BYTES = 64 << 20;

const OUT = 0;
const STOP = 1;

const READER = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { fd, shared, limit } = workerData;
const ctl = new Int32Array(shared);
const CHUNK = 256 << 10;
let buf = Buffer.allocUnsafe(CHUNK * 4);
let used = 0;
let seen = false;
let wait = 1;
let stoppedAt = 0;
const flush = () => {
  if (!used) return;
  const out = new Uint8Array(used);
  out.set(buf.subarray(0, used));
  Atomics.add(ctl, 0, used);
  parentPort.postMessage(out, [out.buffer]);
  used = 0;
};
for (;;) {
  let n;
  try {
    n = fs.readSync(fd, buf, used, buf.length - used, null);
  } catch (err) {
    if (err.code !== 'EAGAIN') throw err;
    n = -1;
  }
  if (n > 0) {
    seen = true;
    wait = 1;
    used += n;
    if (used >= CHUNK) flush();
    while (Atomics.load(ctl, 0) > limit) Atomics.wait(ctl, 0, Atomics.load(ctl, 0), 50);
    continue;
  }
  flush();
  const stopped = Atomics.load(ctl, 1) === 1;
  if (stopped && !stoppedAt) stoppedAt = Date.now();
  if (n === 0 && (seen || stopped)) break;
  if (stopped && Date.now() - stoppedAt > 2000) break;
  Atomics.wait(ctl, 1, 0, wait);
  wait = Math.min(wait * 2, 8);
}
parentPort.postMessage('end');
`;

/** The most a pipe may hold without privileges (/proc/sys/fs/pipe-max-size, by default). */
export const PIPE_BYTES = 1 << 20;

/**
 * Raises the FIFO's pipe from 64 KiB to PIPE_BYTES, in the background, so that strace does not wait
 * while the reader thread starts (a Python start-up stalled for 40 ms): F_SETPIPE_SZ (1031) is out of
 * Node's reach, and perl, always present on Debian, makes the call. Without perl, nothing changes.
 * perl gets an open file of its own: Node makes a child's stdin blocking, which would make the
 * reader's non-blocking reads block too had they shared one.
 */
function widenPipe(fifo: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    const perl = spawn('perl', ['-e', `fcntl(STDIN, 1031, ${PIPE_BYTES})`], { stdio: [fd, 'ignore', 'ignore'] });
    perl.on('error', () => undefined);
    perl.unref();
  } catch {
    /* the pipe keeps its 64 KiB */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A FIFO being drained into a callback. */
export interface FifoPump {
  /** Resolves at end of file (every writer gone after one came, or stop() without writer); rejects on a read error or a callback's throw. */
  readonly done: Promise<void>;
  /** The writer has exited (or never started): finish once the FIFO is drained, or 2 s later if another process still holds it open. */
  stop(): void;
}

/**
 * Drains `fifo` into `onData` on the main thread, while a reader thread empties the FIFO as fast as
 * strace fills it, so strace never waits while the main thread parses or compresses a chunk. At most
 * MAX_BUFFERED_BYTES wait between the two; beyond that the reader pauses and strace blocks.
 */
export function pumpFifo(fifo: string, onData: (chunk: Buffer) => void, opts: { widen?: boolean } = {}): FifoPump {
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  if (opts.widen !== false) widenPipe(fifo);
  const shared = new SharedArrayBuffer(8);
  const ctl = new Int32Array(shared);
  let finished = false;
  let worker: Worker;
  let settle!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => {
      if (finished) return;
      finished = true;
      void worker.terminate();
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      if (err) reject(err);
      else resolve();
    };
  });
  worker = new Worker(READER, { eval: true, workerData: { fd, shared, limit: MAX_BUFFERED_BYTES } });
  worker.unref();
  worker.on('message', (m: Uint8Array | 'end') => {
    if (finished) return;
    if (m === 'end') {
      settle();
      return;
    }
    try {
      onData(Buffer.from(m.buffer, m.byteOffset, m.byteLength));
    } catch (err) {
      settle(err);
      return;
    }
    Atomics.sub(ctl, OUT, m.byteLength);
    Atomics.notify(ctl, OUT);
  });
  worker.on('error', (err) => settle(err));
  worker.on('exit', () => setImmediate(() => settle(new Error('the FIFO reader stopped early'))));
  return {
    done,
    stop: () => {
      Atomics.store(ctl, STOP, 1);
      Atomics.notify(ctl, STOP);
    },
  };
}
