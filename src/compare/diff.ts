import { errnoName } from '../model/index.js';
import { type Alignment, align } from './align.js';
import { classifyPair, type Divergence, type DivergenceKind } from './classify.js';
import { emptyStream, type TaskStream, type TraceStreams, unifyPathless } from './collect.js';
import type { SetAside } from './normalize.js';
import { pairTasks } from './pair.js';
import type { ProfileName } from './rules.js';
import type { DivergenceFacts, SuppressionSet } from './suppress.js';
import type { Task } from './tasks.js';

/** One pair of tasks and how their streams line up. */
export interface PairResult {
  index: number;
  a?: Task;
  b?: Task;
  /** Calls and lifecycle events in each stream. */
  lengthA: number;
  lengthB: number;
  /** Seq of each stream item, by stream position. */
  seqsA: ArrayLike<number>;
  seqsB: ArrayLike<number>;
  alignment?: Alignment;
  /** Divergences left after suppressions. */
  divergences: number;
  outcomeA?: string;
  outcomeB?: string;
}

/** Divergences by call name and kind, for the summary table. */
export interface CallSummary {
  name: string;
  total: number;
  byKind: Partial<Record<DivergenceKind, number>>;
}

/** Everything `diff` found. */
export interface DiffResult {
  profile: ProfileName;
  pairs: PairResult[];
  /** Ranked: the first divergence of each pair (in tree order), then the rest in stream order. */
  divergences: Divergence[];
  suppressed: number;
  equal: boolean;
  setAside: { a: SetAside; b: SetAside };
  summary: CallSummary[];
  approximate: boolean;
  /** Calls compared without their paths because a trace does not carry them (rule paths-when-both). */
  pathless: string[];
}

/** Options of diffStreams. */
export interface DiffOptions {
  suppressions?: SuppressionSet;
  /** Keep only pairs where either task's pid or path is listed. */
  only?: ReadonlySet<string>;
}

const EMPTY: TaskStream = emptyStream(undefined as unknown as Task);

/** A task's outcome in words: `exit 0`, `killed by SIGSEGV`, or undefined while it never ended. */
export function outcomeOf(t: Task | undefined): string | undefined {
  if (!t?.exit) return undefined;
  return t.exit.signal ? `killed by signal ${t.exit.signal}` : `exit ${t.exit.status}`;
}

/** The facts of a divergence that suppression rules match on. */
export function divergenceFacts(d: Divergence, pair: PairResult): DivergenceFacts {
  const processes: string[] = [];
  for (const t of [pair.a, pair.b]) if (t) processes.push(t.path, ...t.execs);
  return {
    kind: d.kind,
    name: d.name,
    errnos: [d.a, d.b].filter((s) => s !== undefined).map((s) => (s.errno ? errnoName(s.errno) : '')),
    subjects: [d.a?.subject ?? '', d.b?.subject ?? ''],
    processes,
  };
}

function matches(t: Task | undefined, only: ReadonlySet<string>): boolean {
  return !!t && (only.has(t.path) || only.has(String(t.tid)) || only.has(String(t.pid)));
}

/** Pairs tasks, aligns each pair's streams, classifies, suppresses and ranks the differences. Pure. */
export function diffStreams(A: TraceStreams, B: TraceStreams, opts: DiffOptions = {}): DiffResult {
  const pairs: PairResult[] = [];
  const firsts: Divergence[] = [];
  const rest: Divergence[] = [];
  let suppressed = 0;
  let approximate = false;
  const summary = new Map<string, CallSummary>();
  const pathless = unifyPathless(A, B);
  for (const tp of pairTasks(A.tasks, B.tasks)) {
    if (opts.only && !matches(tp.a, opts.only) && !matches(tp.b, opts.only)) continue;
    const sa = tp.a ? (A.streams.get(tp.a) ?? EMPTY) : EMPTY;
    const sb = tp.b ? (B.streams.get(tp.b) ?? EMPTY) : EMPTY;
    const pr: PairResult = { index: pairs.length, a: tp.a, b: tp.b, lengthA: sa.seqs.length, lengthB: sb.seqs.length, seqsA: sa.seqs, seqsB: sb.seqs, divergences: 0, outcomeA: outcomeOf(tp.a), outcomeB: outcomeOf(tp.b) };
    pairs.push(pr);
    let divs: Divergence[];
    if (!tp.a || !tp.b) {
      const s = tp.a ? sa : sb;
      const sd = s.seqs.length ? { seq: s.seqs[0], index: 0, errno: 0, subject: '' } : undefined;
      const kind: DivergenceKind = tp.a ? 'process-only-a' : 'process-only-b';
      divs = [{ kind, name: 'process', pair: pr.index, row: -1, a: tp.a ? sd : undefined, b: tp.b ? sd : undefined, enosys: false, first: false, changesOutcome: false }];
    } else {
      pr.alignment = align(sa.ids, sb.ids);
      approximate ||= pr.alignment.approximate;
      divs = classifyPair(pr.index, sa, sb, pr.alignment, { a: A.names, b: B.names });
    }
    const kept = opts.suppressions
      ? divs.filter((d) => {
          const hit = opts.suppressions!.match(divergenceFacts(d, pr));
          if (hit) suppressed++;
          return !hit;
        })
      : divs;
    pr.divergences = kept.length;
    if (!kept.length) continue;
    const outcomeDiffers = pr.outcomeA !== pr.outcomeB;
    kept[0].first = true;
    if (outcomeDiffers) kept[0].changesOutcome = true;
    for (const d of kept) {
      if (d.kind === 'outcome') d.changesOutcome = true;
      let s = summary.get(d.name);
      if (!s) {
        s = { name: d.name, total: 0, byKind: {} };
        summary.set(d.name, s);
      }
      s.total++;
      s.byKind[d.kind] = (s.byKind[d.kind] ?? 0) + 1;
    }
    firsts.push(kept[0]);
    for (let k = 1; k < kept.length; k++) rest.push(kept[k]);
  }
  const divergences = firsts.concat(rest);
  return {
    profile: A.profile,
    pairs,
    divergences,
    suppressed,
    equal: divergences.length === 0,
    setAside: { a: A.setAside, b: B.setAside },
    summary: [...summary.values()].sort((x, y) => y.total - x.total || x.name.localeCompare(y.name)),
    approximate,
    pathless,
  };
}
