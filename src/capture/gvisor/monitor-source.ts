import fs from 'node:fs';
import type { NewEvent } from '../../model/index.js';
import { sessionConfig, type SinkRetry } from './config.js';
import { MonitorConverter } from './convert.js';
import { decodeFrame, FrameError, timeBase } from './frames.js';
import { MonitorServer } from './monitor.js';

/** Packets converted per event-loop turn, so that the socket is read again soon: a full socket makes the Sentry wait. */
const BATCH = 256;

/** How long to wait for runsc to close the monitoring connection after the sandbox exited. */
export const DRAIN_TIMEOUT_MS = 3000;

/** A running monitoring session: listening before runsc starts, converting frames into events as they arrive. */
export interface MonitorSource {
  /** runsc flag that points the sandbox at this session. */
  podInitConfig: string;
  /** Waits until runsc closed the connection (or the drain timeout passed), then emits the calls still open. */
  finish(): Promise<void>;
  readonly converter: MonitorConverter;
  /** Packets that were not valid frames, with the first problem. */
  readonly badFrames: { count: number; first?: string };
  /** Whether runsc connected and completed the handshake. */
  readonly connected: boolean;
  close(): void;
}

/** Writes the session config (mode 0600) and starts listening on `socket`; events go to `sink` in order. */
export function startMonitor(o: {
  socket: string;
  config: string;
  env: boolean;
  /** Enable raw enter points too (durations, enter times, calls blocked at the end). */
  enter: boolean;
  startTimeNs: bigint;
  initialPath?: string;
  cwd?: string;
  retry?: SinkRetry;
  /** Also append every packet, length-prefixed (u32 LE), to this file (for fixtures and bug reports). */
  saveFrames?: string;
  sink: (ev: NewEvent) => void;
  onError: (err: Error) => void;
}): MonitorSource {
  fs.writeFileSync(o.config, JSON.stringify(sessionConfig({ endpoint: o.socket, env: o.env, enter: o.enter, retry: o.retry })), { mode: 0o600 });
  const converter = new MonitorConverter({ startTimeNs: o.startTimeNs, env: o.env, initialPath: o.initialPath, cwd: o.cwd });
  const badFrames: { count: number; first?: string } = { count: 0 };
  let packets = 0;
  const base = timeBase(o.startTimeNs);
  const save = o.saveFrames ? fs.openSync(o.saveFrames, 'w', 0o600) : undefined;
  const queue: Buffer[] = [];
  let head = 0;
  let scheduled = false;
  const process1 = (p: Buffer, n: number): void => {
    let frame;
    try {
      frame = decodeFrame(p, base);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      badFrames.count++;
      badFrames.first ??= `packet ${n} offset ${err.offset}: ${err.message}`;
      return;
    }
    for (const ev of converter.push(frame)) o.sink(ev);
  };
  const drain = (limit = Infinity): void => {
    const stop = Math.min(queue.length, head + limit);
    for (; head < stop; head++) process1(queue[head], packets - queue.length + head + 1);
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head >= 4096) {
      queue.splice(0, head);
      head = 0;
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      try {
        drain(BATCH);
      } catch (err) {
        queue.length = 0;
        head = 0;
        o.onError(err as Error);
        return;
      }
      if (queue.length) schedule();
    });
  };
  const server = new MonitorServer(o.socket, {
    packet(p) {
      packets++;
      if (save !== undefined) {
        const len = Buffer.alloc(4);
        len.writeUInt32LE(p.length);
        fs.writeSync(save, Buffer.concat([len, p]));
      }
      queue.push(p);
      schedule();
    },
    end() {},
    error: o.onError,
  });
  fs.chmodSync(o.socket, 0o600);
  return {
    podInitConfig: o.config,
    converter,
    badFrames,
    get connected() {
      return server.connected;
    },
    async finish() {
      if (server.connected) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([server.whenEnded(), new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
        if (timer) clearTimeout(timer);
      }
      drain();
      for (const ev of converter.finish()) o.sink(ev);
    },
    close: () => {
      server.close();
      if (save !== undefined) fs.closeSync(save);
    },
  };
}
