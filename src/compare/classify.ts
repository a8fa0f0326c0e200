import type { Alignment } from './align.js';
import type { TaskStream } from './collect.js';

/** How two aligned streams differ at one place. */
export type DivergenceKind = 'only-a' | 'only-b' | 'errno' | 'retval' | 'data' | 'args' | 'outcome' | 'process-only-a' | 'process-only-b';

/** Every kind, in the order reports list them. */
export const DIVERGENCE_KINDS: readonly DivergenceKind[] = ['errno', 'retval', 'data', 'args', 'only-a', 'only-b', 'outcome', 'process-only-a', 'process-only-b'];

/** What each kind means, for reports and docs. */
export const KIND_TEXT: Readonly<Record<DivergenceKind, string>> = {
  'only-a': 'only in A',
  'only-b': 'only in B',
  errno: 'different errno',
  retval: 'different return value',
  data: 'different data',
  args: 'different arguments',
  outcome: 'different outcome',
  'process-only-a': 'process only in A',
  'process-only-b': 'process only in B',
};

/** One side of a divergence: the event and its place in its stream. */
export interface DivergenceSide {
  seq: number;
  /** Position in the task's normalized stream. */
  index: number;
  errno: number;
  subject: string;
}

/** One difference between the two traces. */
export interface Divergence {
  kind: DivergenceKind;
  /** Call name (or exec, signal, exit, process). */
  name: string;
  /** Index into DiffResult.pairs. */
  pair: number;
  /** Row of the pair's alignment (-1 for a process on one side only). */
  row: number;
  a?: DivergenceSide;
  b?: DivergenceSide;
  /** ENOSYS on one side where the other side succeeded. */
  enosys: boolean;
  /** The first divergence of its process pair. */
  first: boolean;
  /** The difference is, or comes before, a different exit status or killing signal. */
  changesOutcome: boolean;
}

function side(s: TaskStream, i: number): DivergenceSide {
  return { seq: s.seqs[i], index: i, errno: s.errnos[i], subject: s.subjectTable[s.subj[i]] };
}

function make(kind: DivergenceKind, name: string, pair: number, row: number, a?: DivergenceSide, b?: DivergenceSide): Divergence {
  const enosys = !!a && !!b && ((a.errno === 38 && b.errno === 0) || (b.errno === 38 && a.errno === 0));
  return { kind, name, pair, row, a, b, enosys, first: false, changesOutcome: false };
}

/** Classifies every difference along one pair's alignment, in stream order. */
export function classifyPair(pair: number, sa: TaskStream, sb: TaskStream, al: Alignment, names: { a: string[]; b: string[] }): Divergence[] {
  const out: Divergence[] = [];
  const { ra, rb } = al;
  let r = 0;
  while (r < ra.length) {
    const i = ra[r];
    const j = rb[r];
    if (i >= 0 && j >= 0) {
      if (sa.fulls[i] === sb.fulls[j]) {
        if (sa.datas[i] !== 0 && sb.datas[j] !== 0 && sa.datas[i] !== sb.datas[j]) out.push(make('data', names.a[sa.names[i]], pair, r, side(sa, i), side(sb, j)));
      } else {
        const name = names.a[sa.names[i]];
        let kind: DivergenceKind;
        if (sa.outcome[i] || sb.outcome[j]) kind = 'outcome';
        else if (sa.errnos[i] !== sb.errnos[j]) kind = 'errno';
        else kind = 'retval';
        out.push(make(kind, name, pair, r, side(sa, i), side(sb, j)));
      }
      r++;
      continue;
    }
    const start = r;
    while (r < ra.length && (ra[r] < 0 || rb[r] < 0)) r++;
    const dels: number[] = [];
    const ins: number[] = [];
    for (let q = start; q < r; q++) (ra[q] >= 0 ? dels : ins).push(q);
    const usedIns = new Set<number>();
    const byName = new Map<string, number[]>();
    for (const q of ins) {
      const nm = names.b[sb.names[rb[q]]];
      const list = byName.get(nm);
      if (list) list.push(q);
      else byName.set(nm, [q]);
    }
    const found: Divergence[] = [];
    for (const qa of dels) {
      const i2 = ra[qa];
      const name = names.a[sa.names[i2]];
      const qb = byName.get(name)?.shift();
      if (qb !== undefined) {
        usedIns.add(qb);
        const kind: DivergenceKind = sa.outcome[i2] ? 'outcome' : 'args';
        found.push(make(kind, name, pair, qa, side(sa, i2), side(sb, rb[qb])));
      } else found.push(make('only-a', name, pair, qa, side(sa, i2), undefined));
    }
    for (const qb of ins) if (!usedIns.has(qb)) found.push(make('only-b', names.b[sb.names[rb[qb]]], pair, qb, undefined, side(sb, rb[qb])));
    found.sort((x, y) => x.row - y.row);
    out.push(...found);
  }
  return out;
}
