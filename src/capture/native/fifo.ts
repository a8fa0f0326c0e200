import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** The most a pipe may hold without privileges (/proc/sys/fs/pipe-max-size, by default). */
export const PIPE_BYTES = 1 << 20;

/**
 * Raises the FIFO's pipe from 64 KiB to PIPE_BYTES, in the background, so that strace does not wait
 * while picotrace is still loading (a Python start-up stalled for 40 ms): F_SETPIPE_SZ (1031) is out
 * of Node's reach, and perl, always present on Debian, makes the call. Without perl, nothing changes.
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
 * Drains `fifo` into `onData` on the main thread, through the event loop (epoll): each read's bytes
 * are handed over as they come, and the next read waits until onData returns, so nothing queues in
 * memory beyond the pipe itself (strace waits when it is full). Until the first bytes come, the pump
 * holds a writer of its own, so that end of file means strace closed the FIFO (it exited), not that
 * it has yet to open it.
 *
 * A reader thread did this before, handing batches to the main thread. Besides its ~30 ms start, it
 * left strace and the program two to three times slower on a 2-CPU machine: a reader that only
 * reads (like cat, or strace writing to a file) lets the scheduler spread the two over both CPUs,
 * and each ptrace stop then wakes the other across them, slow in a VM. Parsing each read as it comes
 * keeps the other CPU busy, so strace and the program stay together (bench/record-native.bench.mjs).
 */
export function pumpFifo(fifo: string, onData: (chunk: Buffer) => void, opts: { widen?: boolean } = {}): FifoPump {
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let hold: number | undefined;
  try {
    hold = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  if (opts.widen !== false) widenPipe(fifo);
  const release = (): void => {
    if (hold === undefined) return;
    fs.closeSync(hold);
    hold = undefined;
  };
  const socket = new net.Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
  // As a child process's handle: strace's (or the adopted one's polling) keeps the process alive.
  socket.unref();
  let timer: NodeJS.Timeout | undefined;
  let settle!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    let finished = false;
    settle = (err) => {
      if (finished) return;
      finished = true;
      release();
      if (timer) clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
  });
  socket.on('data', (chunk: Buffer) => {
    release();
    try {
      onData(chunk);
    } catch (err) {
      settle(err);
    }
  });
  socket.on('end', () => settle());
  socket.on('error', (err) => settle(err));
  return {
    done,
    stop: () => {
      release();
      timer ??= setTimeout(() => settle(), 2000);
    },
  };
}
