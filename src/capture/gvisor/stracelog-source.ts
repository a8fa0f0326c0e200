import fs from 'node:fs';
import path from 'node:path';
import { LineSplitter } from '../../import/index.js';
import { GvisorLogParser } from '../../import/gvisor/index.js';
import type { LineParserStats } from '../../import/index.js';
import type { EnvVar, NewEvent } from '../../model/index.js';

/** How often the growing boot log is polled for new lines. */
export const TAIL_INTERVAL_MS = 50;

/** A running strace-log source: tails runsc's *.boot.txt debug log and parses the strace lines as they are written. */
export interface StraceLogSource {
  /** Reads what is left once runsc has exited, then emits the calls still open. */
  finish(): Promise<void>;
  readonly started: boolean;
  readonly stats: LineParserStats;
  close(): void;
}

/** Starts watching `dir` (runsc's --debug-log directory) for the sandbox's boot log; events go to `sink` in order. */
export function startStraceLog(o: { dir: string; startTimeNs: bigint; env: boolean; initialPath?: string; argv: string[]; envList?: EnvVar[]; sink: (ev: NewEvent) => void; onError: (err: Error) => void }): StraceLogSource {
  const parser = new GvisorLogParser(o.sink, {
    startTimeNs: o.startTimeNs,
    source: 'runsc-strace',
    env: o.env,
    initial: o.initialPath ? { path: o.initialPath, argv: o.argv, env: o.envList ?? [] } : undefined,
  });
  const splitter = new LineSplitter((line, no) => parser.line(line, no));
  let fd: number | undefined;
  let file: string | undefined;
  const buf = Buffer.alloc(1 << 20);
  let closed = false;
  const poll = (): void => {
    if (fd === undefined) {
      const name = fs.readdirSync(o.dir).find((f) => f.endsWith('.boot.txt'));
      if (!name) return;
      file = path.join(o.dir, name);
      fd = fs.openSync(file, 'r');
    }
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      splitter.push(buf.subarray(0, n));
    }
  };
  const safePoll = (): void => {
    if (closed) return;
    try {
      poll();
    } catch (err) {
      o.onError(err as Error);
      closed = true;
      clearInterval(timer);
    }
  };
  const timer = setInterval(safePoll, TAIL_INTERVAL_MS);
  return {
    get started() {
      return parser.started;
    },
    stats: parser.stats,
    async finish() {
      clearInterval(timer);
      if (!closed) poll();
      splitter.end();
      parser.end();
    },
    close() {
      closed = true;
      clearInterval(timer);
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}
