import type { TraceEvent } from '../model/index.js';
import { CorruptTraceError } from '../util/errors.js';
import type { Matcher } from './match.js';

const damaged = new WeakMap<object, Map<number, CorruptTraceError>>();

/** Chunk `i` of `src`, or no events when it cannot be read (the damage is remembered for damageOf). */
export function readChunkSafe(src: ChunkSource, i: number): TraceEvent[] {
  try {
    return src.readChunk(i);
  } catch (err) {
    if (!(err instanceof CorruptTraceError)) throw err;
    let m = damaged.get(src);
    if (!m) damaged.set(src, (m = new Map()));
    m.set(i, err);
    return [];
  }
}

/** The unreadable chunks met so far while scanning `src`. */
export function damageOf(src: ChunkSource): CorruptTraceError[] {
  return [...(damaged.get(src)?.values() ?? [])];
}

/** What scanning needs from a reader: TraceReader satisfies it. */
export interface ChunkSource {
  readonly eventCount: number;
  readonly chunks: readonly { firstSeq: number; count: number }[];
  chunkOf(seq: number): number;
  readChunk(i: number): TraceEvent[];
}

/**
 * Scans from `from` (inclusive) in direction `dir` for the first event passing `pred`, one chunk at a time:
 * yields the seq reached after each chunk (so a caller can pause, show progress or cancel) and returns
 * the seq found, or -1.
 */
export function* scan(src: ChunkSource, from: number, dir: 1 | -1, pred: Matcher): Generator<number, number> {
  if (from < 0 || from >= src.eventCount) return -1;
  let i = src.chunkOf(from);
  while (i >= 0 && i < src.chunks.length) {
    const c = src.chunks[i];
    const evs = readChunkSafe(src, i);
    if (dir > 0) {
      for (let j = Math.max(0, from - c.firstSeq); j < evs.length; j++) if (pred(evs[j])) return evs[j].seq;
    } else {
      for (let j = Math.min(evs.length - 1, from - c.firstSeq); j >= 0; j--) if (pred(evs[j])) return evs[j].seq;
    }
    i += dir;
    yield dir > 0 ? c.firstSeq + c.count : c.firstSeq;
  }
  return -1;
}

/** Runs a generator to its end, synchronously (for scripts). */
export function runToEnd<T>(g: Generator<unknown, T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Up to `n` events passing `pred`, from `from` in direction `dir`, reading at most `maxChunks` chunks. */
export function collect(src: ChunkSource, from: number, dir: 1 | -1, n: number, pred: Matcher, maxChunks = 64): TraceEvent[] {
  const out: TraceEvent[] = [];
  if (n <= 0 || from < 0 || from >= src.eventCount) return out;
  let i = src.chunkOf(from);
  let read = 0;
  while (i >= 0 && i < src.chunks.length && read < maxChunks) {
    const c = src.chunks[i];
    const evs = readChunkSafe(src, i);
    read++;
    if (dir > 0) {
      for (let j = Math.max(0, from - c.firstSeq); j < evs.length; j++) if (pred(evs[j]) && out.push(evs[j]) >= n) return out;
    } else {
      for (let j = Math.min(evs.length - 1, from - c.firstSeq); j >= 0; j--) if (pred(evs[j]) && out.push(evs[j]) >= n) return out;
    }
    i += dir;
  }
  return out;
}
