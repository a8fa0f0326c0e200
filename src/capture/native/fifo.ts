import fs from 'node:fs';

const MIN_WAIT_MS = 1;
const MAX_WAIT_MS = 8;
const READS_PER_TURN = 64;
const STOP_GRACE_MS = 2000;

/** A FIFO being drained into a callback. */
export interface FifoPump {
  /** Resolves at end of file (every writer gone after one came, or stop() without writer); rejects on a read error or a callback's throw. */
  readonly done: Promise<void>;
  /** The writer has exited (or never started): finish once the FIFO is drained, or 2 s later if another process still holds it open. */
  stop(): void;
}

/**
 * Drains `fifo` into `onData` with non-blocking reads on the main thread through one reused 1 MiB
 * buffer (`onData` must consume the bytes before returning), polling with a backoff from 1 to 8 ms
 * while it is empty. Memory stays constant and no thread-pool thread is held.
 */
export function pumpFifo(fifo: string, onData: (chunk: Buffer) => void): FifoPump {
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const buf = Buffer.allocUnsafe(1 << 20);
  let seen = false;
  let stopped = false;
  let stoppedAt = 0;
  let wait = MIN_WAIT_MS;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let settle!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => {
      if (finished) return;
      finished = true;
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      if (err) reject(err);
      else resolve();
    };
  });
  const turn = (): void => {
    timer = undefined;
    if (finished) return;
    try {
      for (let i = 0; i < READS_PER_TURN; i++) {
        let n: number;
        try {
          n = fs.readSync(fd, buf, 0, buf.length, null);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
          n = -1;
        }
        if (n > 0) {
          seen = true;
          wait = MIN_WAIT_MS;
          onData(buf.subarray(0, n));
          continue;
        }
        if (n === 0 && (seen || stopped)) {
          settle();
          return;
        }
        if (stopped && Date.now() - stoppedAt > STOP_GRACE_MS) {
          settle();
          return;
        }
        break;
      }
      timer = setTimeout(turn, wait);
      wait = Math.min(wait * 2, MAX_WAIT_MS);
    } catch (err) {
      settle(err);
    }
  };
  setImmediate(turn);
  return {
    done,
    stop: () => {
      stopped = true;
      stoppedAt = Date.now();
      if (timer && !finished) {
        clearTimeout(timer);
        timer = undefined;
        setImmediate(turn);
      }
    },
  };
}
