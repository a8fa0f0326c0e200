import { describeDamage, type TraceReader } from '../format/index.js';
import { stackOf, type TraceEvent } from '../model/index.js';
import { formatEventLine } from '../render/index.js';
import { StateIndex, type KernelState } from '../state/index.js';
import { UsageError } from '../util/errors.js';
import { breakpointMatcher, describeFilter, filterMatcher, type Breakpoint, type FilterSpec, type Matcher } from './match.js';
import { collect, damageOf, readChunkSafe, scan } from './scan.js';

/** What a navigation command did. */
export interface Outcome {
  /** False when nothing was found or the command failed; the cursor then stays where it was. */
  ok: boolean;
  message?: string;
  /** Text a script prints for this command (state, detail, list, ...). */
  output?: string[];
}

/** A navigation step that may read many chunks: yields progress (a seq) between chunks, returns its outcome. */
export type Job = Generator<number, Outcome>;

/** Options of a Navigator. */
export interface NavigatorOptions {
  filter?: FilterSpec;
  breakpoints?: Breakpoint[];
  /** Rows per page (the list's height). */
  page?: number;
}

/** The text searched by `/`: the strace-like rendering without time, then the stack's frames (strace -k) one a line. */
export function searchText(ev: TraceEvent): string {
  const line = formatEventLine(ev, { time: false, stringLimit: 256 });
  const stack = stackOf(ev);
  return stack ? `${line}\n${stack.join('\n')}` : line;
}

/**
 * The debugger's position and settings over one trace, shared by the terminal UI and script mode:
 * a cursor on an event that passes the filter, breakpoints, the last search, and the state index.
 */
export class Navigator {
  cursor = 0;
  page: number;
  readonly states: StateIndex;
  breakpoints: Breakpoint[];
  private filterSpec?: FilterSpec;
  private visibleFn: Matcher;
  private breakFns: Matcher[];
  private search?: { re: RegExp; text: string };

  constructor(
    readonly reader: TraceReader,
    opts: NavigatorOptions = {},
  ) {
    this.states = new StateIndex(reader, { cwd: reader.header.cwd });
    this.page = Math.max(1, opts.page ?? 20);
    this.filterSpec = opts.filter;
    this.visibleFn = filterMatcher(opts.filter);
    this.breakpoints = [...(opts.breakpoints ?? [])];
    this.breakFns = this.breakpoints.map(breakpointMatcher);
    const first = collect(reader, 0, 1, 1, this.visibleFn);
    this.cursor = first.length ? first[0].seq : 0;
  }

  /** Number of events in the trace. */
  get count(): number {
    return this.reader.eventCount;
  }

  /** True when the trace has no event passing the filter (or no event at all). */
  get empty(): boolean {
    return this.count === 0 || !this.visibleFn(this.current());
  }

  /** The event under the cursor. */
  current(): TraceEvent {
    const seq = Math.min(this.cursor, Math.max(0, this.count - 1));
    const i = this.reader.chunkOf(seq);
    const ev = i < 0 ? undefined : readChunkSafe(this.reader, i)[seq - this.reader.chunks[i].firstSeq];
    return ev ?? { kind: 'unparsed', seq, pid: 0, tid: 0, source: this.reader.file, line: 0, text: '', reason: 'unreadable chunk' };
  }

  /** One line on what could not be read (damaged chunks met, a missing footer), or ''. */
  damage(): string {
    const bad = damageOf(this.reader);
    if (bad.length) return `${bad[0].message}${bad.length > 1 ? ` (and ${bad.length - 1} more damaged chunks)` : ''}; those events are skipped`;
    const d = this.reader.integrity.damage;
    return d ? describeDamage(this.reader.file, d) : '';
  }

  /** True when `ev` passes the filter. */
  visible(ev: TraceEvent): boolean {
    return this.visibleFn(ev);
  }

  /** The active filter as typed, or ''. */
  get filterText(): string {
    return describeFilter(this.filterSpec);
  }

  /** The last search pattern, or ''. */
  get searchPattern(): string {
    return this.search?.text ?? '';
  }

  /** Reads the chunks before and after the cursor's into the reader's cache, so the next step across a chunk edge does not wait for a decode (the screen calls it when idle). */
  prefetch(): void {
    const i = this.reader.chunkOf(this.cursor);
    if (i < 0) return;
    const c = this.reader.chunks[i];
    if (this.cursor - c.firstSeq > c.count - 64 && i + 1 < this.reader.chunks.length) readChunkSafe(this.reader, i + 1);
    if (this.cursor - c.firstSeq < 64 && i > 0) readChunkSafe(this.reader, i - 1);
    readChunkSafe(this.reader, i);
  }

  /** The state after the cursor's event. */
  state(): KernelState {
    return this.states.stateAfter(this.cursor);
  }

  /** Moves to the first visible event from `from` in `dir` that passes `pred`. */
  *seek(from: number, dir: 1 | -1, pred: Matcher, what: string): Job {
    const vis = this.visibleFn;
    const found = yield* scan(this.reader, from, dir, (ev) => vis(ev) && pred(ev));
    if (found < 0) return { ok: false, message: `no ${what} ${dir > 0 ? 'after' : 'before'} #${this.cursor}` };
    this.cursor = found;
    return { ok: true };
  }

  /** Moves `n` visible events forward (n > 0) or back. */
  *step(n: number): Job {
    const dir = n > 0 ? 1 : -1;
    let moved = 0;
    for (; moved < Math.abs(n); moved++) {
      const found = yield* scan(this.reader, this.cursor + dir, dir, this.visibleFn);
      if (found < 0) break;
      this.cursor = found;
    }
    if (!moved) return { ok: false, message: dir > 0 ? 'at the last event' : 'at the first event' };
    return { ok: true };
  }

  /** Goes to event `n` (or the nearest visible one after it, else before it). */
  *goto(n: number): Job {
    if (!Number.isInteger(n) || n < 0 || n >= this.count) return { ok: false, message: `event ${n} is out of range (the trace has ${this.count} events: 0..${this.count - 1})` };
    const vis = this.visibleFn;
    let found = yield* scan(this.reader, n, 1, vis);
    if (found < 0) found = yield* scan(this.reader, n, -1, vis);
    if (found < 0) return { ok: false, message: 'no event passes the filter' };
    this.cursor = found;
    if (found === n) return { ok: true };
    const i = this.reader.chunkOf(n);
    const unreadable = readChunkSafe(this.reader, i).length === 0;
    return { ok: true, message: `event ${n} is ${unreadable ? 'in a damaged chunk' : 'hidden by the filter'}; at #${found}` };
  }

  /** Goes to the first event at or after `ns` (relative to the trace start). */
  *gotoTime(ns: number): Job {
    const seq = this.reader.seekTime(ns);
    if (seq >= this.count) return { ok: false, message: 'no event at or after that time' };
    return yield* this.goto(seq);
  }

  /** First or last visible event. */
  *edge(last: boolean): Job {
    return yield* this.seek(last ? this.count - 1 : 0, last ? -1 : 1, () => true, 'event');
  }

  /** Sets (or, with undefined, clears) the filter; the cursor moves to a visible event. */
  *setFilter(f: FilterSpec | undefined): Job {
    this.filterSpec = f && describeFilter(f) ? f : undefined;
    this.visibleFn = filterMatcher(this.filterSpec);
    if (this.count === 0) return { ok: true };
    const at = this.cursor;
    const r = yield* this.goto(at);
    if (!r.ok) return { ok: false, message: 'no event passes the filter' };
    return { ok: true, message: this.filterSpec ? `filter: ${this.filterText}` : 'filter cleared' };
  }

  /** Adds a breakpoint. */
  addBreakpoint(b: Breakpoint): void {
    this.breakpoints.push(b);
    this.breakFns.push(breakpointMatcher(b));
  }

  /** Removes every breakpoint. */
  clearBreakpoints(): void {
    this.breakpoints = [];
    this.breakFns = [];
  }

  /** Runs forward (continue) or backward (reverse-continue) to the next breakpoint hit. */
  *continueTo(dir: 1 | -1): Job {
    if (!this.breakFns.length) return { ok: false, message: 'no breakpoints set' };
    const fns = this.breakFns;
    return yield* this.seek(this.cursor + dir, dir, (ev) => fns.some((f) => f(ev)), 'breakpoint hit');
  }

  /** Searches for `pattern` (a regex over the rendered line) from the next event in `dir`. Throws UsageError for a bad regex. */
  *find(pattern: string | undefined, dir: 1 | -1): Job {
    if (pattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch (err) {
        throw new UsageError(`search: invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
      }
      this.search = { re, text: pattern };
    }
    const s = this.search;
    if (!s) return { ok: false, message: 'no search yet (use / to search)' };
    return yield* this.seek(this.cursor + dir, dir, (ev) => s.re.test(searchText(ev)), `match for /${s.text}/`);
  }
}
