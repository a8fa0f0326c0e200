import type { TraceEvent } from '../model/index.js';
import { mix } from './hash.js';
import { Normalizer, type SetAside } from './normalize.js';
import type { ProfileName } from './rules.js';
import type { Task } from './tasks.js';

/** One task's normalized stream, column by column (numbers only, so a million calls stay small). */
export interface TaskStream {
  task: Task;
  seqs: number[];
  ids: number[];
  /** Identity hashes without path arguments. */
  bares: number[];
  fulls: number[];
  res: number[];
  datas: number[];
  errnos: number[];
  /** Index into TraceStreams.names. */
  names: number[];
  /** Paths or fd targets, for suppressions ("" when none). */
  subjects: string[];
  outcome: boolean[];
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

/** Normalizes `events` (one trace, in order) into per-task streams. Pure: the caller supplies the iterator. */
export function collectStreams(events: Iterable<TraceEvent>, profile: ProfileName = 'strict'): TraceStreams {
  const norm = new Normalizer(profile);
  const streams = new Map<Task, TaskStream>();
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  let count = 0;
  const pathless = new Set<string>();
  for (const ev of events) {
    count++;
    const it = norm.push(ev);
    if (!it) continue;
    let s = streams.get(it.task);
    if (!s) {
      s = { task: it.task, seqs: [], ids: [], bares: [], fulls: [], res: [], datas: [], errnos: [], names: [], subjects: [], outcome: [] };
      streams.set(it.task, s);
    }
    let n = nameIdx.get(it.name);
    if (n === undefined) {
      n = names.length;
      names.push(it.name);
      nameIdx.set(it.name, n);
    }
    s.seqs.push(it.seq);
    s.ids.push(it.id);
    s.bares.push(it.bare);
    if (it.pathless) pathless.add(it.name);
    s.fulls.push(it.full);
    s.res.push(it.res);
    s.datas.push(it.data);
    s.errnos.push(it.errno);
    s.names.push(n);
    s.subjects.push(it.subject);
    s.outcome.push(it.outcome);
  }
  for (const t of norm.tasks.all) if (!streams.has(t)) streams.set(t, { task: t, seqs: [], ids: [], bares: [], fulls: [], res: [], datas: [], errnos: [], names: [], subjects: [], outcome: [] });
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
      for (let i = 0; i < s.ids.length; i++)
        if (hit[s.names[i]]) {
          s.ids[i] = s.bares[i];
          s.fulls[i] = mix(s.bares[i], s.res[i]);
        }
  }
  return [...names].sort();
}
