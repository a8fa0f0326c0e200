import type { ChunkAnnotator, StreamDigest } from '../format/index.js';
import type { NewEvent } from '../model/index.js';
import { RunningDigest } from './hash.js';
import { Normalizer } from './normalize.js';
import type { ProfileName } from './rules.js';
import type { Task } from './tasks.js';

/** A checkpoint digest is kept every this many items of a stream. */
export const CHECKPOINT_EVERY = 64;

/** Bumped whenever a rule changes what is hashed, so digests from older recordings are not trusted. */
export const NORMALIZATION_VERSION = 5;

/** The digest profile string stored in a trace's footer for a normalization profile. */
export function digestProfileName(profile: ProfileName): string {
  return `picotrace-compare/${NORMALIZATION_VERSION}:${profile}`;
}

/**
 * Stream-digest entries an annotator stores per chunk (StreamDigest.stream prefixes):
 * `t:PATH` a task appeared (count = its tid, digest = [1 if thread, 0 if process]);
 * `x:PATH` a task exec'd (count = execs so far, digest = the programs, NUL-separated UTF-8);
 * `s:PATH` a stream advanced (count = items so far, digest = running digest (8 bytes) followed by the
 * digests at each multiple of CHECKPOINT_EVERY crossed in this chunk, 8 bytes each);
 * `p:NAME` the trace has a call NAME whose path was not decoded (its digests cannot be compared with a
 * trace that has the path).
 */
export const DIGEST_PREFIX = { task: 't:', exec: 'x:', stream: 's:', pathless: 'p:' } as const;

interface StreamState {
  digest: RunningDigest;
  count: number;
  checkpoints: Uint8Array[];
}

/** A ChunkAnnotator that keeps per-task running digests of the normalized streams, for bisect. */
export class DigestAnnotator implements ChunkAnnotator {
  readonly profile: string;
  private norm: Normalizer;
  private states = new Map<Task, StreamState>();
  private dirty = new Set<Task>();
  private seenTasks = 0;
  private execd = new Set<Task>();
  private pathless = new Set<string>();
  private newPathless: string[] = [];

  constructor(profile: ProfileName = 'strict') {
    this.profile = digestProfileName(profile);
    this.norm = new Normalizer(profile);
  }

  /** Normalizes one event and folds it into its task's digest. */
  observe(ev: NewEvent, seq: number): void {
    const it = this.norm.push(ev, seq);
    if (!it) return;
    let st = this.states.get(it.task);
    if (!st) {
      st = { digest: new RunningDigest(), count: 0, checkpoints: [] };
      this.states.set(it.task, st);
    }
    st.digest.push(it.full);
    st.count++;
    if (st.count % CHECKPOINT_EVERY === 0) st.checkpoints.push(st.digest.bytes());
    this.dirty.add(it.task);
    if (ev.kind === 'exec') this.execd.add(it.task);
    if (it.pathless && !this.pathless.has(it.name)) {
      this.pathless.add(it.name);
      this.newPathless.push(it.name);
    }
  }

  /** Entries for the chunk just closed: new tasks, new execs, streams that advanced. */
  digests(): StreamDigest[] {
    const out: StreamDigest[] = [];
    const all = this.norm.tasks.all;
    for (; this.seenTasks < all.length; this.seenTasks++) {
      const t = all[this.seenTasks];
      out.push({ stream: `${DIGEST_PREFIX.task}${t.path}`, count: t.tid, digest: Uint8Array.of(t.isThread ? 1 : 0) });
    }
    for (const name of this.newPathless) out.push({ stream: `${DIGEST_PREFIX.pathless}${name}`, count: 1, digest: new Uint8Array(0) });
    this.newPathless = [];
    for (const t of this.execd) out.push({ stream: `${DIGEST_PREFIX.exec}${t.path}`, count: t.execs.length, digest: Buffer.from(t.execs.join('\u0000'), 'utf8') });
    this.execd.clear();
    for (const t of this.dirty) {
      const st = this.states.get(t)!;
      const parts = [st.digest.bytes(), ...st.checkpoints];
      const digest = new Uint8Array(parts.length * 8);
      parts.forEach((p, k) => digest.set(p, k * 8));
      out.push({ stream: `${DIGEST_PREFIX.stream}${t.path}`, count: st.count, digest });
      st.checkpoints = [];
    }
    this.dirty.clear();
    return out;
  }
}
