import type { TraceEvent } from '../model/index.js';
import { mix } from './hash.js';
import { Normalizer, type SetAside } from './normalize.js';
import type { ProfileName } from './rules.js';
import type { Task } from './tasks.js';

/** One task's normalized stream, column by column in typed arrays (nothing for the garbage collector to walk). */
export interface TaskStream {
  task: Task;
  seqs: Int32Array;
  ids: Int32Array;
  /** Identity hashes without path arguments. */
  bares: Int32Array;
  fulls: Int32Array;
  res: Int32Array;
  datas: Int32Array;
  errnos: Int32Array;
  /** Index into TraceStreams.names. */
  names: Int32Array;
  /** Index into subjectTable: the path or fd target each item names ("" when none), for suppressions. */
  subj: Int32Array;
  subjectTable: readonly string[];
  /** 1 for exit events (the ones that decide the outcome). */
  outcome: Uint8Array;
}

/** Every task stream of one trace, after normalization. */
export interface TraceStreams {
  profile: ProfileName;
  tasks: Task[];
  streams: Map<Task, TaskStream>;
  names: string[];
  setAside: SetAside;
  events: number;
  /** Calls some of whose path arguments this trace does not carry. */
  pathless: Set<string>;
}

class Column {
  a = new Int32Array(64);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

class NoColumn extends Column {
  override push(): void {}
}

const COLUMNS = ['seqs', 'ids', 'bares', 'fulls', 'res', 'datas', 'errnos', 'names', 'subj', 'outcome'] as const;
type Builder = Record<(typeof COLUMNS)[number], Column>;
/** The columns a first-divergence scan needs (bisect without digests). */
const PREFIX_COLUMNS: ReadonlySet<string> = new Set(['seqs', 'bares', 'fulls', 'res', 'names']);

function builder(prefixOnly: boolean): Builder {
  return Object.fromEntries(COLUMNS.map((c) => [c, prefixOnly && !PREFIX_COLUMNS.has(c) ? new NoColumn() : new Column()])) as Builder;
}

/** The stream of a task that has no items. */
export function emptyStream(task: Task, subjectTable: readonly string[] = ['']): TaskStream {
  const z = new Int32Array(0);
  return { task, seqs: z, ids: z, bares: z, fulls: z, res: z, datas: z, errnos: z, names: z, subj: z, subjectTable, outcome: new Uint8Array(0) };
}

/**
 * Normalizes `events` (one trace, in order) into per-task streams. Pure: the caller supplies the iterator.
 * `prefixOnly` keeps only what a first-divergence scan compares (seqs, fulls; other columns are empty).
 */
export function collectStreams(events: Iterable<TraceEvent>, profile: ProfileName = 'strict', opts: { prefixOnly?: boolean } = {}): TraceStreams {
  const norm = new Normalizer(profile);
  const building = new Map<Task, Builder>();
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  const subjectTable: string[] = [''];
  const subjectIdx = new Map<string, number>([['', 0]]);
  let count = 0;
  const pathless = new Set<string>();
  let lastTask: Task | undefined;
  let lastBuilder: Builder | undefined;
  for (const ev of events) {
    count++;
    const it = norm.push(ev);
    if (!it) continue;
    let b = it.task === lastTask ? lastBuilder : building.get(it.task);
    if (!b) {
      b = builder(!!opts.prefixOnly);
      building.set(it.task, b);
    }
    lastTask = it.task;
    lastBuilder = b;
    let n = nameIdx.get(it.name);
    if (n === undefined) {
      n = names.length;
      names.push(it.name);
      nameIdx.set(it.name, n);
    }
    let sj = it.subject === '' ? 0 : subjectIdx.get(it.subject);
    if (sj === undefined) {
      sj = subjectTable.length;
      subjectTable.push(it.subject);
      subjectIdx.set(it.subject, sj);
    }
    if (it.pathless) pathless.add(it.name);
    b.seqs.push(it.seq);
    b.ids.push(it.id);
    b.bares.push(it.bare);
    b.fulls.push(it.full);
    b.res.push(it.res);
    b.datas.push(it.data);
    b.errnos.push(it.errno);
    b.names.push(n);
    b.subj.push(sj);
    b.outcome.push(it.outcome ? 1 : 0);
  }
  const streams = new Map<Task, TaskStream>();
  for (const t of norm.tasks.all) {
    const b = building.get(t);
    if (!b) {
      streams.set(t, emptyStream(t, subjectTable));
      continue;
    }
    streams.set(t, {
      task: t,
      seqs: b.seqs.done(),
      ids: b.ids.done(),
      bares: b.bares.done(),
      fulls: b.fulls.done(),
      res: b.res.done(),
      datas: b.datas.done(),
      errnos: b.errnos.done(),
      names: b.names.done(),
      subj: b.subj.done(),
      subjectTable,
      outcome: Uint8Array.from(b.outcome.done()),
    });
  }
  return { profile, tasks: norm.tasks.all, streams, names, setAside: norm.setAside, events: count, pathless };
}

/**
 * Rule paths-when-both: for calls whose paths either trace lacks, identities drop paths in both traces
 * (rewrites ids and fulls in place). Returns the calls affected.
 */
export function unifyPathless(A: TraceStreams, B: TraceStreams): string[] {
  const names = new Set([...A.pathless, ...B.pathless]);
  if (!names.size) return [];
  for (const T of [A, B]) {
    const hit = T.names.map((n) => names.has(n));
    for (const s of T.streams.values())
      for (let i = 0; i < s.fulls.length; i++)
        if (hit[s.names[i]]) {
          if (s.ids.length) s.ids[i] = s.bares[i];
          s.fulls[i] = mix(s.bares[i], s.res[i]);
        }
  }
  return [...names].sort();
}
