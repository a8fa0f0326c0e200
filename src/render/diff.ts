import type { DiffResult, Divergence, PairResult } from '../compare/index.js';
import { KIND_TEXT, DIVERGENCE_KINDS } from '../compare/index.js';
import type { TraceEvent, TraceHeader } from '../model/index.js';
import { errnoName } from '../model/index.js';
import { describeRun, formatEventLine } from './strace.js';

/** What the diff renderers need besides the result: the traces' names and headers, and event lookups. */
export interface DiffView {
  fileA: string;
  fileB: string;
  headerA: TraceHeader;
  headerB: TraceHeader;
  eventA(seq: number): TraceEvent;
  eventB(seq: number): TraceEvent;
  /** Aligned rows of context before and after each divergence. */
  context: number;
  /** Every divergence, not only the first of each process pair. */
  all: boolean;
  stringLimit?: number;
}

/** One line of a divergence's context: both sides equal, or a line from one side. */
export interface ContextLine {
  mark: ' ' | '-' | '+';
  seqA?: number;
  seqB?: number;
  text: string;
}

function lineOf(ev: TraceEvent, limit: number): string {
  return formatEventLine(ev, { pid: false, time: false, stringLimit: limit });
}

/** The divergences a report shows: every one with `all`, else the first of each pair. */
export function shownDivergences(r: DiffResult, all: boolean): Divergence[] {
  return all ? r.divergences : r.divergences.filter((d) => d.first);
}

/** The process a pair stands for, in words: `1.2 /bin/ls (pid 812 | 44)`. */
export function pairLabel(p: PairResult): string {
  const t = p.a ?? p.b!;
  const prog = (p.a?.execs.at(-1) ?? p.b?.execs.at(-1)) || '';
  const pids = `${p.a ? p.a.tid : '-'} | ${p.b ? p.b.tid : '-'}`;
  return `${t.isThread ? 'thread' : 'process'} ${t.path}${prog ? ` ${prog}` : ''} (pid ${pids})`;
}

function resultOf(ev: TraceEvent | undefined): string {
  if (!ev) return '-';
  if (ev.kind === 'call') return ev.errno ? errnoName(ev.errno) : String(ev.retval);
  if (ev.kind === 'exit') return ev.signal ? `killed by signal ${ev.signal}` : `exit ${ev.status}`;
  return ev.kind;
}

/** A one-line description of a divergence. */
export function describeDivergence(d: Divergence, r: DiffResult, v: DiffView): string {
  const ea = d.a ? v.eventA(d.a.seq) : undefined;
  const eb = d.b ? v.eventB(d.b.seq) : undefined;
  const p = r.pairs[d.pair];
  switch (d.kind) {
    case 'errno':
    case 'retval':
      return `${d.name}: ${resultOf(ea)} in A, ${resultOf(eb)} in B (${KIND_TEXT[d.kind]}${d.enosys ? ', not implemented in one' : ''})`;
    case 'outcome':
      return `${p.outcomeA ?? 'no exit'} in A, ${p.outcomeB ?? 'no exit'} in B (${KIND_TEXT[d.kind]})`;
    case 'only-a':
    case 'only-b':
    case 'args':
    case 'data':
      return `${d.name}: ${KIND_TEXT[d.kind]}`;
    default:
      return KIND_TEXT[d.kind];
  }
}

/** Aligned context around a divergence: equal rows once, differing rows as a `-` line (A) and a `+` line (B). */
export function contextLines(d: Divergence, r: DiffResult, v: DiffView, marked: ReadonlySet<number>): ContextLine[] {
  const p = r.pairs[d.pair];
  const limit = v.stringLimit ?? 96;
  const out: ContextLine[] = [];
  if (!p.alignment || d.row < 0) {
    const seqs = p.a ? p.seqsA : p.seqsB;
    const get = p.a ? v.eventA : v.eventB;
    for (let i = 0; i < Math.min(seqs.length, v.context + 1); i++) out.push({ mark: p.a ? '-' : '+', [p.a ? 'seqA' : 'seqB']: seqs[i], text: lineOf(get(seqs[i]), limit) });
    return out;
  }
  const { ra, rb } = p.alignment;
  const lo = Math.max(0, d.row - v.context);
  const hi = Math.min(ra.length, d.row + v.context + 1);
  for (let row = lo; row < hi; row++) {
    const i = ra[row];
    const j = rb[row];
    const sa = i >= 0 ? p.seqsA[i] : undefined;
    const sb = j >= 0 ? p.seqsB[j] : undefined;
    if (sa !== undefined && sb !== undefined && !marked.has(row)) {
      out.push({ mark: ' ', seqA: sa, seqB: sb, text: lineOf(v.eventA(sa), limit) });
      continue;
    }
    if (sa !== undefined) out.push({ mark: '-', seqA: sa, text: lineOf(v.eventA(sa), limit) });
    if (sb !== undefined) out.push({ mark: '+', seqB: sb, text: lineOf(v.eventB(sb), limit) });
  }
  return out;
}

function markedRows(r: DiffResult): Map<number, Set<number>> {
  const m = new Map<number, Set<number>>();
  for (const d of r.divergences) {
    let s = m.get(d.pair);
    if (!s) m.set(d.pair, (s = new Set()));
    s.add(d.row);
  }
  return m;
}

function headline(r: DiffResult): string {
  const pairs = r.pairs.filter((p) => p.divergences > 0).length;
  const n = r.divergences.length;
  const parts = [`profile ${r.profile}`];
  parts.push(r.equal ? 'no divergences' : `${n} divergence${n === 1 ? '' : 's'} in ${pairs} of ${r.pairs.length} process pair${r.pairs.length === 1 ? '' : 's'}`);
  if (r.suppressed) parts.push(`${r.suppressed} suppressed`);
  if (r.setAside.a.count || r.setAside.b.count) parts.push(`calls set aside (vDSO, restarted${r.profile === 'loose' ? ', timing' : ''}): ${r.setAside.a.count} in A, ${r.setAside.b.count} in B`);
  if (r.approximate) parts.push('some stretches aligned approximately');
  return parts.join('; ');
}

const SEQ_W = 8;
function seqCell(side: 'a' | 'b', seq: number | undefined): string {
  return (seq === undefined ? '' : `${side}:${seq}`).padEnd(SEQ_W);
}

/** The text report: headline, each shown divergence with context, the per-call summary. ANSI colors when `color`. */
export function renderDiffText(r: DiffResult, v: DiffView, color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(`A: ${v.fileA} (${describeRun(v.headerA)})`);
  out.push(`B: ${v.fileB} (${describeRun(v.headerB)})`);
  out.push(c('1', headline(r)));
  const marked = markedRows(r);
  const shown = shownDivergences(r, v.all);
  shown.forEach((d, k) => {
    const p = r.pairs[d.pair];
    out.push('');
    const at = d.a ? `A #${d.a.seq}` : '';
    const bt = d.b ? `B #${d.b.seq}` : '';
    const tags = [d.first ? 'first divergence' : '', d.changesOutcome ? c('1;33', 'changes the outcome') : ''].filter(Boolean).join(', ');
    out.push(c('1;36', `[${k + 1}] ${pairLabel(p)}`) + (tags ? `: ${tags}` : ''));
    out.push(`    ${describeDivergence(d, r, v)}${at || bt ? ` at ${[at, bt].filter(Boolean).join(' / ')}` : ''}`);
    for (const l of contextLines(d, r, v, marked.get(d.pair) ?? new Set())) {
      const line = `  ${l.mark} ${seqCell('a', l.seqA)} ${seqCell('b', l.seqB)} ${l.text}`;
      out.push(l.mark === '-' ? c('31', line) : l.mark === '+' ? c('32', line) : line);
    }
  });
  if (!v.all && r.divergences.length > shown.length) out.push('', `(${r.divergences.length - shown.length} more divergences after the first of each process; --all shows them)`);
  if (r.summary.length) {
    out.push('', c('1', 'By call:'));
    const kinds = DIVERGENCE_KINDS.filter((k) => r.summary.some((s) => s.byKind[k]));
    const w = Math.max(8, ...r.summary.map((s) => s.name.length));
    out.push(`  ${'call'.padEnd(w)} ${'total'.padStart(6)} ${kinds.map((k) => k.padStart(Math.max(6, k.length))).join(' ')}`);
    for (const s of r.summary.slice(0, 40))
      out.push(`  ${s.name.padEnd(w)} ${String(s.total).padStart(6)} ${kinds.map((k) => String(s.byKind[k] ?? '').padStart(Math.max(6, k.length))).join(' ')}`);
    if (r.summary.length > 40) out.push(`  (${r.summary.length - 40} more calls)`);
  }
  return `${out.join('\n')}\n`;
}

function mdCode(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** The markdown report, made to be pasted into an issue: first divergences with a diff block each, then a summary table. */
export function renderDiffMarkdown(r: DiffResult, v: DiffView): string {
  const out: string[] = [];
  out.push('### picotrace diff');
  out.push('');
  out.push(`- **A**: ${mdCode(v.fileA)} — ${mdCode(describeRun(v.headerA))}${v.headerA.runtimeVersion ? ` (${v.headerA.runtimeName} ${v.headerA.runtimeVersion})` : ''}`);
  out.push(`- **B**: ${mdCode(v.fileB)} — ${mdCode(describeRun(v.headerB))}${v.headerB.runtimeVersion ? ` (${v.headerB.runtimeName} ${v.headerB.runtimeVersion})` : ''}`);
  out.push(`- **Result**: ${headline(r)}`);
  const marked = markedRows(r);
  const shown = shownDivergences(r, v.all);
  shown.forEach((d, k) => {
    const p = r.pairs[d.pair];
    out.push('');
    out.push(`#### ${k + 1}. ${pairLabel(p)}${d.changesOutcome ? ' — changes the outcome' : ''}`);
    out.push('');
    out.push(`${describeDivergence(d, r, v)}${d.a ? `, A event #${d.a.seq}` : ''}${d.b ? `, B event #${d.b.seq}` : ''}`);
    out.push('');
    out.push('```diff');
    for (const l of contextLines(d, r, v, marked.get(d.pair) ?? new Set())) out.push(`${l.mark} ${l.text.replace(/```/g, "'''")}`);
    out.push('```');
  });
  if (r.summary.length) {
    const kinds = DIVERGENCE_KINDS.filter((kd) => r.summary.some((s) => s.byKind[kd]));
    out.push('');
    out.push('#### Divergences by call');
    out.push('');
    out.push(`| call | total | ${kinds.map((kd) => KIND_TEXT[kd]).join(' | ')} |`);
    out.push(`|---|---:|${kinds.map(() => '---:').join('|')}|`);
    for (const s of r.summary.slice(0, 60)) out.push(`| ${mdCode(s.name)} | ${s.total} | ${kinds.map((kd) => s.byKind[kd] ?? '').join(' | ')} |`);
  }
  out.push('');
  out.push('<sub>`-` lines are from A, `+` lines from B; normalized with picotrace\'s ' + `${r.profile} profile (\`picotrace diff --explain-normalization\`).</sub>`);
  return `${out.join('\n')}\n`;
}

/** The JSON report: every field a tool needs, with each shown divergence's lines from both sides. */
export function diffToJson(r: DiffResult, v: DiffView): Record<string, unknown> {
  const marked = markedRows(r);
  const limit = v.stringLimit ?? 256;
  return {
    equal: r.equal,
    profile: r.profile,
    a: { file: v.fileA, backend: v.headerA.backend, argv: v.headerA.argv },
    b: { file: v.fileB, backend: v.headerB.backend, argv: v.headerB.argv },
    suppressed: r.suppressed,
    approximate: r.approximate,
    setAside: { a: r.setAside.a.count, b: r.setAside.b.count },
    pairs: r.pairs.map((p) => ({
      a: p.a ? { task: p.a.path, pid: p.a.pid, tid: p.a.tid, programs: p.a.execs, outcome: p.outcomeA, length: p.lengthA } : null,
      b: p.b ? { task: p.b.path, pid: p.b.pid, tid: p.b.tid, programs: p.b.execs, outcome: p.outcomeB, length: p.lengthB } : null,
      divergences: p.divergences,
    })),
    totalDivergences: r.divergences.length,
    divergences: shownDivergences(r, v.all).map((d) => ({
      kind: d.kind,
      name: d.name,
      pair: d.pair,
      first: d.first,
      changesOutcome: d.changesOutcome,
      enosys: d.enosys,
      description: describeDivergence(d, r, v),
      a: d.a ? { seq: d.a.seq, index: d.a.index, line: lineOf(v.eventA(d.a.seq), limit) } : null,
      b: d.b ? { seq: d.b.seq, index: d.b.index, line: lineOf(v.eventB(d.b.seq), limit) } : null,
      context: contextLines(d, r, { ...v, stringLimit: limit }, marked.get(d.pair) ?? new Set()),
    })),
    summary: r.summary,
  };
}
