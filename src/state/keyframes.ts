import type { TraceEvent } from '../model/index.js';
import { type FrozenState, freezeState, thawState } from './freeze.js';
import { applyEvent, withSeq } from './reduce.js';
import { emptyState, type KernelState } from './types.js';

/** Where events come from: TraceReader satisfies this; state/ itself does no I/O. */
export interface EventSource {
  readonly eventCount: number;
  /** Events in [from, to); with onCorrupt, an unreadable stretch is reported and skipped instead of thrown. */
  events(opts: { from?: number; to?: number; onCorrupt?: (err: Error) => void }): Iterable<TraceEvent>;
  /** The same events as events(), for one long sequential pass that keeps none of them (TraceReader.stream); events() is used when absent. */
  stream?(opts: { from?: number; to?: number; onCorrupt?: (err: Error) => void }): Iterable<TraceEvent>;
}

/** Folds longer than this many events read the trace with stream() rather than through the chunk cache. */
const STREAM_FOLD = 2048;

/** Tuning of a StateIndex. */
export interface StateIndexOptions {
  /** Initial spacing of the sparse keyframes (default 4096 events). */
  interval?: number;
  /** Most sparse keyframes kept; beyond it the spacing doubles and every other one is dropped (default 2048). */
  maxKeyframes?: number;
  /** Spacing of the dense keyframes made around visited events (default 256). */
  denseInterval?: number;
  /** Most dense keyframes kept (least recently used dropped; default 128). */
  maxDense?: number;
  /** Working directory of the first process (the trace header's cwd). */
  cwd?: string;
}

/** What a complete pass made, frozen: enough to skip the pass the next time the same trace is opened. */
export interface KeyframeSet {
  readonly eventCount: number;
  readonly interval: number;
  /** sparse[i] is the state before event i * interval. */
  readonly sparse: readonly FrozenState[];
  /** The state after the last event. */
  readonly end: FrozenState;
}

/** Progress of the background pass. */
export interface IndexProgress {
  /** Events folded so far by the sequential pass. */
  done: number;
  total: number;
}

/**
 * The state before any event number, from keyframes: sparse ones every `interval` events made by a
 * sequential pass that runs in slices (advance()), and dense ones made on demand around the events
 * visited. The state before N is the nearest keyframe at or below N plus at most the events in between,
 * and always equals a fold from event 0 (keyframes are an optimization, never a change).
 * Memory is bounded: both keyframe sets have a maximum count, dense states share unchanged parts, and
 * sparse keyframes are kept frozen outside the heap (freeze.ts), thawed when a jump starts from one.
 */
export class StateIndex {
  private interval: number;
  private readonly maxKeyframes: number;
  private readonly denseInterval: number;
  private readonly maxDense: number;
  /** Sparse keyframes, frozen (outside the heap): sparse[i] is the state before event i * interval. */
  private sparse: FrozenState[];
  /** The sparse keyframe thawed last, which the next far jump near it starts from again. */
  private thawed?: KernelState;
  private dense = new Map<number, KernelState>();
  private passState: KernelState;
  /** The sequential pass's events from passState.seq on, kept open between advance() calls; `next` is an event already read but not yet folded. */
  private pass?: { events: Iterator<TraceEvent>; next?: TraceEvent };
  private cursor: KernelState;
  /** Events folded (the last call's count) by stateBefore, for benchmarks. */
  lastFolded = 0;
  /** Unreadable stretches skipped while folding (their events are missing from the states). */
  skipped = 0;
  private readonly onCorrupt = () => {
    this.skipped++;
  };

  constructor(
    private readonly src: EventSource,
    opts: StateIndexOptions = {},
  ) {
    this.interval = Math.max(1, opts.interval ?? 4096);
    this.maxKeyframes = Math.max(2, opts.maxKeyframes ?? 2048);
    this.denseInterval = Math.max(1, opts.denseInterval ?? 256);
    this.maxDense = Math.max(1, opts.maxDense ?? 128);
    const s0 = emptyState(opts.cwd ?? '');
    this.sparse = [freezeState(s0)];
    this.passState = s0;
    this.cursor = s0;
  }

  /** How far the sequential pass has come. */
  progress(): IndexProgress {
    return { done: this.passState.seq, total: this.src.eventCount };
  }

  /** True when the sequential pass has folded every event. */
  get complete(): boolean {
    return this.passState.seq >= this.src.eventCount;
  }

  /** Current spacing of the sparse keyframes. */
  get keyframeInterval(): number {
    return this.interval;
  }

  /** Number of keyframes held (sparse, dense). */
  keyframeCount(): { sparse: number; dense: number } {
    return { sparse: this.sparse.length, dense: this.dense.size };
  }

  /** The keyframes of the complete pass (undefined until the pass is complete, and when it skipped unreadable stretches). */
  keyframeSet(): KeyframeSet | undefined {
    if (!this.complete || this.skipped) return undefined;
    return { eventCount: this.src.eventCount, interval: this.interval, sparse: this.sparse, end: freezeState(this.passState) };
  }

  /**
   * Takes the keyframes of an earlier complete pass over the same events instead of making them, and
   * so completes the pass. Returns false, changing nothing, when the set does not fit this trace.
   */
  adoptKeyframes(k: KeyframeSet): boolean {
    const n = this.src.eventCount;
    if (k.eventCount !== n || !Number.isSafeInteger(k.interval) || k.interval < 1) return false;
    if (k.sparse.length !== Math.floor(n / k.interval) + 1 || k.end.seq !== n) return false;
    if (!k.sparse.every((f, i) => f.seq === i * k.interval)) return false;
    this.interval = k.interval;
    this.sparse = [...k.sparse];
    this.passState = thawState(k.end);
    this.pass = undefined;
    this.thawed = undefined;
    return true;
  }

  /** Folds up to `maxEvents` more events of the sequential pass, recording sparse keyframes; returns the progress. */
  advance(maxEvents: number): IndexProgress {
    const from = this.passState.seq;
    const to = Math.min(this.src.eventCount, from + Math.max(1, maxEvents));
    this.pass ??= { events: (this.src.stream ?? this.src.events).call(this.src, { from, onCorrupt: this.onCorrupt })[Symbol.iterator]() };
    const pass = this.pass;
    let s = this.passState;
    let seq = from;
    for (;;) {
      let ev = pass.next;
      if (!ev) {
        const r = pass.events.next();
        if (r.done) break;
        ev = r.value;
      }
      if (ev.seq >= to) {
        pass.next = ev;
        break;
      }
      pass.next = undefined;
      s = applyEvent(s, ev);
      seq = ev.seq + 1;
      if (seq % this.interval === 0) this.addSparse((s = withSeq(s, seq)));
    }
    this.passState = withSeq(s, to);
    if (this.complete) this.pass = undefined;
    return this.progress();
  }

  /** The number of events between the nearest known state and the state before `n` (what stateBefore would fold). */
  distance(n: number): number {
    return n - this.nearest(this.clamp(n)).seq;
  }

  /** The state before event `n` (after events 0..n-1); `n` is clamped to [0, eventCount]. */
  stateBefore(n: number): KernelState {
    const target = this.clamp(n);
    let s = this.nearest(target);
    this.lastFolded = target - s.seq;
    if (s.seq < target) {
      let seq = s.seq;
      // A long fold reads events nobody will look at again: streamed, they die young.
      const read = target - s.seq > STREAM_FOLD && this.src.stream ? this.src.stream : this.src.events;
      for (const ev of read.call(this.src, { from: s.seq, to: target, onCorrupt: this.onCorrupt })) {
        s = applyEvent(s, ev);
        seq = ev.seq + 1;
        if (seq % this.denseInterval === 0) this.addDense((s = withSeq(s, seq)));
        if (seq % this.interval === 0 && seq > this.passState.seq && seq / this.interval === this.sparse.length) this.addSparse((s = withSeq(s, seq)));
      }
      s = withSeq(s, target);
    }
    this.cursor = s;
    return s;
  }

  /** The state after event `n` (the effect of event n included). */
  stateAfter(n: number): KernelState {
    return this.stateBefore(n + 1);
  }

  private clamp(n: number): number {
    return Math.max(0, Math.min(this.src.eventCount, Math.trunc(n)));
  }

  private nearest(target: number): KernelState {
    const frozen = this.sparse[Math.min(this.sparse.length - 1, Math.floor(target / this.interval))];
    let best: KernelState | undefined;
    let bestSeq = frozen.seq;
    if (this.passState.seq <= target && this.passState.seq >= bestSeq) [best, bestSeq] = [this.passState, this.passState.seq];
    if (this.cursor.seq <= target && this.cursor.seq >= bestSeq) [best, bestSeq] = [this.cursor, this.cursor.seq];
    const dk = Math.floor(target / this.denseInterval) * this.denseInterval;
    for (let k = dk; k > bestSeq && k >= dk - 4 * this.denseInterval; k -= this.denseInterval) {
      const hit = this.dense.get(k);
      if (hit) {
        this.dense.delete(k);
        this.dense.set(k, hit);
        [best, bestSeq] = [hit, hit.seq];
        break;
      }
    }
    if (best) return best;
    if (this.thawed?.seq !== frozen.seq) this.thawed = thawState(frozen);
    return this.thawed;
  }

  private addSparse(s: KernelState): void {
    if (s.seq / this.interval !== this.sparse.length) return;
    this.sparse.push(freezeState(s));
    if (this.sparse.length > this.maxKeyframes) {
      this.sparse = this.sparse.filter((_, i) => i % 2 === 0);
      this.interval *= 2;
    }
  }

  private addDense(s: KernelState): void {
    this.dense.delete(s.seq);
    this.dense.set(s.seq, s);
    if (this.dense.size > this.maxDense) this.dense.delete(this.dense.keys().next().value as number);
  }
}
