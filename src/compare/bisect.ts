import type { StreamDigest } from '../format/index.js';
import type { TraceEvent } from '../model/index.js';
import { CHECKPOINT_EVERY, DIGEST_PREFIX, digestProfileName } from './annotate.js';
import { collectStreams, unifyPathless } from './collect.js';
import { Normalizer } from './normalize.js';
import { pairTasks } from './pair.js';
import type { ProfileName } from './rules.js';
import type { Task } from './tasks.js';

/** What bisect needs of a trace: its chunk index and chunk reads (TraceReader has this shape). */
export interface IndexedTrace {
  readonly chunks: readonly { firstSeq: number; count: number; digests: readonly StreamDigest[] }[];
  readonly footerInfo: { digestProfile: string };
  readChunk(i: number): TraceEvent[];
  /** Every event once, in order, keeping none (TraceReader.stream). */
  stream(): Iterable<TraceEvent>;
}

/** The first divergent position of one task pair, or none. */
export interface BisectPair {
  a?: Task;
  b?: Task;
  lengthA: number;
  lengthB: number;
  /** Stream position of the first difference; undefined when the streams are equal. */
  index?: number;
  /** Seq of the item at `index` on each side (undefined past that side's end). */
  seqA?: number;
  seqB?: number;
}

/** Result of bisect: per pair, and how it was found. */
export interface BisectResult {
  method: 'digests' | 'scan';
  /** Why the digests could not be used, for a scan. */
  reason?: string;
  pairs: BisectPair[];
}

interface StreamIndex {
  tid: number;
  entries: { chunk: number; count: number; digest: Uint8Array }[];
  count: number;
}

interface IndexView {
  tasks: Task[];
  /** Chunk whose index entry first named each task. */
  appeared: Map<Task, number>;
  streams: Map<string, StreamIndex>;
}

function sameRunning(a: StreamIndex, b: StreamIndex): boolean {
  const x = a.entries.at(-1)?.digest;
  const y = b.entries.at(-1)?.digest;
  if (!x || !y) return !x && !y;
  for (let k = 0; k < 8; k++) if (x[k] !== y[k]) return false;
  return true;
}

/** The checkpoint digests of a stream, flattened to two int32 per checkpoint. */
function checkpoints(s: StreamIndex): Int32Array {
  let n = 0;
  for (const e of s.entries) n += (e.digest.length - 8) >> 3;
  const out = new Int32Array(n * 2);
  let o = 0;
  for (const e of s.entries) {
    const dv = new DataView(e.digest.buffer, e.digest.byteOffset, e.digest.byteLength);
    for (let k = 8; k + 8 <= e.digest.length; k += 8) {
      out[o++] = dv.getInt32(k, true);
      out[o++] = dv.getInt32(k + 4, true);
    }
  }
  return out;
}

function readIndex(t: IndexedTrace): IndexView {
  const byPath = new Map<string, Task>();
  const streams = new Map<string, StreamIndex>();
  const tasks: Task[] = [];
  const appeared = new Map<Task, number>();
  t.chunks.forEach((c, ci) => {
    for (const d of c.digests) {
      if (d.stream.startsWith(DIGEST_PREFIX.task)) {
        const path = d.stream.slice(2);
        const cut = path.lastIndexOf('.');
        const parent = cut > 0 ? byPath.get(path.slice(0, cut)) : undefined;
        const task: Task = { tid: d.count, pid: d.count, path, ord: tasks.length, parent, kids: [], isThread: d.digest[0] === 1, execs: [], calls: 0 };
        if (parent) parent.kids.push(task);
        tasks.push(task);
        appeared.set(task, ci);
        byPath.set(path, task);
        streams.set(path, { tid: d.count, entries: [], count: 0 });
      } else if (d.stream.startsWith(DIGEST_PREFIX.exec)) {
        const task = byPath.get(d.stream.slice(2));
        if (task) task.execs = Buffer.from(d.digest).toString('utf8').split('\u0000');
      } else if (d.stream.startsWith(DIGEST_PREFIX.stream)) {
        const s = streams.get(d.stream.slice(2));
        if (!s) continue;
        s.entries.push({ chunk: ci, count: d.count, digest: d.digest });
        s.count = d.count;
      }
    }
  });
  for (const task of tasks) task.kids.sort((x, y) => Number(x.path.slice(x.path.lastIndexOf('.') + 1)) - Number(y.path.slice(y.path.lastIndexOf('.') + 1)));
  return { tasks, appeared, streams };
}

function windowItems(t: IndexedTrace, view: IndexView, path: string, from: number, want: number, profile: ProfileName): { seqs: number[]; fulls: number[] } {
  const s = view.streams.get(path)!;
  const seqs: number[] = [];
  const fulls: number[] = [];
  const e = s.entries.findIndex((x) => x.count > from);
  if (e < 0) return { seqs, fulls };
  let index = e > 0 ? s.entries[e - 1].count : 0;
  const norm = new Normalizer(profile);
  const first = s.entries[e].chunk;
  for (const task of view.tasks) if ((view.appeared.get(task) ?? 0) <= first) norm.tasks.adopt(task.tid, task.tid, task.path, task.isThread);
  const stop = s.entries.find((x) => x.count >= from + want) ?? s.entries[s.entries.length - 1];
  for (let ci = first; ci <= stop.chunk && seqs.length < want; ci++) {
    for (const ev of t.readChunk(ci)) {
      if (ev.tid !== s.tid && ev.pid !== s.tid) continue;
      const it = norm.push(ev);
      if (!it || it.task.path !== path) continue;
      if (index >= from) {
        seqs.push(it.seq);
        fulls.push(it.full);
        if (seqs.length >= want) break;
      }
      index++;
    }
  }
  return { seqs, fulls };
}

function firstUnequal(ca: Int32Array, cb: Int32Array): number {
  let lo = 0;
  let hi = Math.min(ca.length, cb.length) >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ca[2 * mid] === cb[2 * mid] && ca[2 * mid + 1] === cb[2 * mid + 1]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Finds each task pair's first divergent stream position. With digests of the same profile in both indexes,
 * a binary search over the checkpoint digests (held in the index) brackets it to CHECKPOINT_EVERY items and
 * one or two chunks per side are read to pin it down. Otherwise both traces are scanned once.
 */
export function bisectTraces(A: IndexedTrace, B: IndexedTrace, profile: ProfileName = 'strict'): BisectResult {
  const want = digestProfileName(profile);
  const missing = [A, B].findIndex((t) => t.footerInfo.digestProfile !== want);
  if (missing >= 0) {
    const got = [A, B][missing].footerInfo.digestProfile;
    return scan(A, B, profile, `trace ${missing ? 'B' : 'A'} ${got ? `has digests of another profile (${got})` : 'has no stream digests (imported, or recorded without them)'}`);
  }
  const pathless = [A, B].map((t) => t.chunks.flatMap((c) => c.digests.filter((d) => d.stream.startsWith(DIGEST_PREFIX.pathless)).map((d) => d.stream.slice(2))));
  const side = pathless.findIndex((l) => l.length > 0);
  if (side >= 0) return scan(A, B, profile, `trace ${side ? 'B' : 'A'} does not carry the paths of ${pathless[side].slice(0, 3).join(', ')}${pathless[side].length > 3 ? ', ...' : ''}`);
  const va = readIndex(A);
  const vb = readIndex(B);
  const pairs: BisectPair[] = [];
  for (const tp of pairTasks(va.tasks, vb.tasks)) {
    const sa = tp.a ? va.streams.get(tp.a.path) : undefined;
    const sb = tp.b ? vb.streams.get(tp.b.path) : undefined;
    const p: BisectPair = { a: tp.a, b: tp.b, lengthA: sa?.count ?? 0, lengthB: sb?.count ?? 0 };
    pairs.push(p);
    if (!sa || !sb) {
      p.index = 0;
      continue;
    }
    if (sa.count === sb.count && sameRunning(sa, sb)) continue;
    const e = firstUnequal(checkpoints(sa), checkpoints(sb));
    const from = e * CHECKPOINT_EVERY;
    const wa = windowItems(A, va, tp.a!.path, from, CHECKPOINT_EVERY + 1, profile);
    const wb = windowItems(B, vb, tp.b!.path, from, CHECKPOINT_EVERY + 1, profile);
    let k = 0;
    while (k < wa.fulls.length && k < wb.fulls.length && wa.fulls[k] === wb.fulls[k]) k++;
    if (k === wa.fulls.length && k === wb.fulls.length) return scan(A, B, profile, `the stored digests of ${tp.a!.path} disagree with its events (written by another picotrace version?)`);
    p.index = from + k;
    p.seqA = wa.seqs[k];
    p.seqB = wb.seqs[k];
  }
  return { method: 'digests', pairs };
}

function scan(A: IndexedTrace, B: IndexedTrace, profile: ProfileName, reason: string): BisectResult {
  const sa = collectStreams(A.stream(), profile, { prefixOnly: true });
  const sb = collectStreams(B.stream(), profile, { prefixOnly: true });
  unifyPathless(sa, sb);
  const pairs: BisectPair[] = [];
  for (const tp of pairTasks(sa.tasks, sb.tasks)) {
    const xa = tp.a ? sa.streams.get(tp.a) : undefined;
    const xb = tp.b ? sb.streams.get(tp.b) : undefined;
    const p: BisectPair = { a: tp.a, b: tp.b, lengthA: xa?.seqs.length ?? 0, lengthB: xb?.seqs.length ?? 0 };
    pairs.push(p);
    if (!xa || !xb) {
      p.index = 0;
      continue;
    }
    let k = 0;
    while (k < xa.fulls.length && k < xb.fulls.length && xa.fulls[k] === xb.fulls[k]) k++;
    if (k === xa.fulls.length && k === xb.fulls.length) continue;
    p.index = k;
    p.seqA = xa.seqs[k];
    p.seqB = xb.seqs[k];
  }
  return { method: 'scan', reason, pairs };
}
