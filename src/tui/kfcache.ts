import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { TraceReader } from '../format/index.js';
import type { KeyframeSet, StateIndex } from '../state/index.js';

// The keyframes of a finished state pass, kept on disk so that a trace opened again has the state at
// every event at once instead of after another pass (25 s on 10M events). One file per trace in a
// private cache directory (0700; files 0600: states hold paths, argv and fd names of the trace).
// File: magic, a JSON head (trace identity, event count, spacing, frame count), then per frame its
// seq (float64) and length (uint32) and the frozen bytes; a CRC-32 of everything after the magic
// ends it. Anything that does not match is ignored and the pass runs as usual. A file is used only
// for the same trace file (identity, size, time, chunk index) and the same reducer code.

const MAGIC = Buffer.from('PTKEYF01');
/** Total size of the cache directory kept; the least recently used files go first. */
const MAX_CACHE_BYTES = 256 << 20;
/** Traces smaller than this are folded faster than their cache file would be read. */
const MIN_EVENTS = 200_000;

/** The cache directory: $PICOTRACE_CACHE_DIR, else $XDG_CACHE_HOME/picotrace, else ~/.cache/picotrace. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PICOTRACE_CACHE_DIR) return env.PICOTRACE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'picotrace');
}

/** Keyframe cache of one open trace. */
export interface KeyframeCache {
  /** The cache file (whether or not it exists). */
  readonly file: string;
  /** Gives the index the cached keyframes; true when it took them. */
  load(states: StateIndex): boolean;
  /** Writes the keyframes of a complete pass (best effort: a cache that cannot be written is skipped). */
  save(states: StateIndex): boolean;
}

/**
 * The keyframe cache for a trace, or undefined when the trace should not be cached: small, or
 * without its footer (a recording still being written or cut short may change).
 */
export function keyframeCache(reader: TraceReader, opts: { dir?: string; minEvents?: number } = {}): KeyframeCache | undefined {
  if (!reader.integrity.footer || reader.eventCount < (opts.minEvents ?? MIN_EVENTS)) return undefined;
  let st: fs.Stats;
  try {
    st = fs.statSync(reader.file);
  } catch {
    return undefined;
  }
  // The trace is known by where it is and what it is: its file's identity, size and modification
  // time, and the chunk index (a rewritten file with the same size and time still differs there).
  const h = crypto.createHash('sha256');
  try {
    h.update(stateCodeDigest());
  } catch {
    return undefined; // the reducer's files cannot be read: no way to tell a stale cache
  }
  h.update(JSON.stringify([path.resolve(reader.file), st.dev, st.ino, st.size, st.mtimeMs, reader.eventCount]));
  for (const c of reader.chunks) h.update(`${c.offset},${c.storedLength},${c.count};`);
  const id = h.digest('hex');
  const dir = opts.dir ?? cacheDir();
  const file = path.join(dir, `${id.slice(0, 32)}.keyframes`);
  return {
    file,
    load: (states) => {
      const set = readSet(file, id);
      if (!set || !states.adoptKeyframes(set)) return false;
      touch(file);
      return true;
    },
    save: (states) => {
      const set = states.keyframeSet();
      if (!set) return false;
      try {
        writeSet(dir, file, id, set);
        prune(dir, file);
        return true;
      } catch {
        return false;
      }
    },
  };
}

let codeDigest: string | undefined;

/** A digest of the reducer's own code: keyframes made by other rules (another version) are not used. */
function stateCodeDigest(): string {
  if (codeDigest !== undefined) return codeDigest;
  const h = crypto.createHash('sha256');
  const dir = fileURLToPath(new URL('../state/', import.meta.url));
  for (const f of fs.readdirSync(dir).sort()) if (/\.[jt]s$/.test(f)) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  codeDigest = h.digest('hex');
  return codeDigest;
}

function readSet(file: string, id: string): KeyframeSet | undefined {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    if (b.length < MAGIC.length + 8 || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const crc = b.readUInt32LE(b.length - 4);
    if ((zlib.crc32(b.subarray(MAGIC.length, b.length - 4)) >>> 0) !== crc) return undefined;
    let p = MAGIC.length;
    const headLen = b.readUInt32LE(p);
    p += 4;
    const head = JSON.parse(b.toString('utf8', p, p + headLen)) as { id: string; eventCount: number; interval: number; frames: number };
    p += headLen;
    if (head.id !== id) return undefined;
    const frames: { seq: number; bytes: Buffer }[] = [];
    for (let i = 0; i < head.frames; i++) {
      const seq = b.readDoubleLE(p);
      const len = b.readUInt32LE(p + 8);
      p += 12;
      // A copy: the frames outlive the file's buffer, which is dropped.
      frames.push({ seq, bytes: Buffer.from(b.subarray(p, p + len)) });
      p += len;
    }
    if (p !== b.length - 4 || frames.length < 2) return undefined;
    const end = frames.pop()!;
    return { eventCount: head.eventCount, interval: head.interval, sparse: frames, end };
  } catch {
    return undefined;
  }
}

function writeSet(dir: string, file: string, id: string, set: KeyframeSet): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const head = Buffer.from(JSON.stringify({ id, eventCount: set.eventCount, interval: set.interval, frames: set.sparse.length + 1 }));
  const parts: Buffer[] = [MAGIC, u32(head.length), head];
  for (const f of [...set.sparse, set.end]) {
    const h = Buffer.alloc(12);
    h.writeDoubleLE(f.seq, 0);
    h.writeUInt32LE(f.bytes.length, 8);
    parts.push(h, f.bytes);
  }
  const body = Buffer.concat(parts);
  const out = Buffer.concat([body, u32(zlib.crc32(body.subarray(MAGIC.length)) >>> 0)]);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, out, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    /* the cache is best effort */
  }
}

/** Removes the least recently used cache files beyond MAX_CACHE_BYTES (never `keep`). */
function prune(dir: string, keep: string): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.keyframes'))
    .map((f) => {
      const p = path.join(dir, f);
      const st = fs.statSync(p);
      return { p, size: st.size, used: st.mtimeMs };
    })
    .sort((a, b) => b.used - a.used);
  let total = 0;
  for (const f of files) {
    total += f.size;
    if (total > MAX_CACHE_BYTES && f.p !== keep) fs.rmSync(f.p, { force: true });
  }
}
