import type { DiffResult, Divergence } from '../compare/index.js';
import type { TraceEvent } from '../model/index.js';
import { describeDivergence, pairLabel, type DiffView } from '../render/index.js';
import { formatEventLine } from '../render/index.js';
import { UsageError } from '../util/errors.js';

/** One row of the side-by-side view: an event of A, of B, or of both, and the divergence on it if any. */
export interface SideRow {
  pair: number;
  seqA?: number;
  seqB?: number;
  div?: Divergence;
}

/**
 * The two aligned streams of a diff as one scrollable list of rows (pair after pair), with the cursor and
 * jumps to the next and previous divergence. Events are read on demand through `view`.
 */
export class DiffNavigator {
  cursor = 0;
  readonly total: number;
  private starts: number[] = [];
  private divRows: number[] = [];
  private divAt = new Map<number, Divergence>();

  constructor(
    readonly result: DiffResult,
    readonly view: DiffView,
  ) {
    let n = 0;
    for (const p of result.pairs) {
      this.starts.push(n);
      n += p.alignment ? p.alignment.ra.length : Math.max(p.lengthA, p.lengthB, 1);
    }
    this.total = n;
    for (const d of result.divergences) {
      const row = this.starts[d.pair] + Math.max(0, d.row);
      if (!this.divAt.has(row)) this.divAt.set(row, d);
    }
    this.divRows = [...this.divAt.keys()].sort((x, y) => x - y);
  }

  /** Number of divergence rows. */
  get divergences(): number {
    return this.divRows.length;
  }

  /** The row at global index `r`. */
  row(r: number): SideRow {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid] <= r) lo = mid;
      else hi = mid - 1;
    }
    const p = this.result.pairs[lo];
    const k = r - this.starts[lo];
    const out: SideRow = { pair: lo, div: this.divAt.get(r) };
    if (p.alignment) {
      const i = p.alignment.ra[k];
      const j = p.alignment.rb[k];
      if (i >= 0) out.seqA = p.seqsA[i];
      if (j >= 0) out.seqB = p.seqsB[j];
    } else {
      if (p.a && k < p.seqsA.length) out.seqA = p.seqsA[k];
      if (p.b && k < p.seqsB.length) out.seqB = p.seqsB[k];
    }
    return out;
  }

  /** Moves the cursor by `n` rows (clamped). */
  move(n: number): void {
    this.cursor = Math.max(0, Math.min(this.total - 1, this.cursor + n));
  }

  /** Moves to the first divergence (or stays at the top when there is none). */
  firstDivergence(): void {
    this.cursor = this.divRows[0] ?? 0;
  }

  /** Moves to the next divergence after the cursor; false when there is none. */
  nextDivergence(): boolean {
    const r = this.divRows.find((x) => x > this.cursor);
    if (r === undefined) return false;
    this.cursor = r;
    return true;
  }

  /** Moves to the previous divergence before the cursor; false when there is none. */
  prevDivergence(): boolean {
    let r: number | undefined;
    for (const x of this.divRows) if (x < this.cursor) r = x;
    else break;
    if (r === undefined) return false;
    this.cursor = r;
    return true;
  }

  /** Which divergence (1-based) the cursor is on or after, for the status line. */
  divergenceOrdinal(): number {
    let n = 0;
    for (const x of this.divRows) if (x <= this.cursor) n++;
    return n;
  }

  /** A one-line description of the row's divergence, or of its process pair. */
  describe(r: SideRow): string {
    const p = this.result.pairs[r.pair];
    if (!r.div) return pairLabel(p);
    return describeDivergence(r.div, this.result, this.view);
  }

  /** Text of one side of a row, `width` columns at most. */
  cell(seq: number | undefined, side: 'a' | 'b', width: number): string {
    if (seq === undefined) return ''.padEnd(width);
    const ev: TraceEvent = side === 'a' ? this.view.eventA(seq) : this.view.eventB(seq);
    const text = `${String(seq).padStart(7)} ${formatEventLine(ev, { pid: false, time: false, stringLimit: 48 })}`;
    return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}>` : text.padEnd(width);
  }

  /** The rows of a window of `height` rows that keeps the cursor visible, starting near `top`. */
  window(top: number, height: number): { top: number; rows: number[] } {
    let t = Math.min(Math.max(0, top), Math.max(0, this.total - height));
    if (this.cursor < t) t = this.cursor;
    if (this.cursor >= t + height) t = this.cursor - height + 1;
    const rows: number[] = [];
    for (let r = t; r < Math.min(this.total, t + height); r++) rows.push(r);
    return { top: t, rows };
  }

  /** One rendered line per row: a marker (`!` divergence, `>` cursor), A's event, `|`, B's event. */
  lines(rows: number[], width: number): string[] {
    const half = Math.max(10, Math.floor((width - 5) / 2));
    return rows.map((r) => {
      const row = this.row(r);
      const mark = `${r === this.cursor ? '>' : ' '}${row.div ? '!' : ' '}`;
      return `${mark} ${this.cell(row.seqA, 'a', half)} | ${this.cell(row.seqB, 'b', half)}`;
    });
  }
}

const DIFF_COMMANDS = ['next-div', 'prev-div', 'down', 'up', 'show'] as const;

/** Runs side-by-side navigation commands without a terminal (`replay A --diff B --script`), writing what the screen would show. */
export function runDiffScript(nav: DiffNavigator, script: string, write: (line: string) => void, width = 160): void {
  const cmds = script
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text, i) => {
      const [name, arg] = text.split(/\s+/, 2);
      if (!(DIFF_COMMANDS as readonly string[]).includes(name)) throw new UsageError(`--script: command ${i + 1} (${JSON.stringify(text)}): in diff mode the commands are ${DIFF_COMMANDS.join(', ')}`);
      const n = arg === undefined ? 1 : Number(arg);
      if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--script: command ${i + 1} (${JSON.stringify(text)}): expected a count`);
      return { name, n, text };
    });
  for (const c of cmds) {
    write(`> ${c.text}`);
    if (c.name === 'next-div' || c.name === 'prev-div') {
      const ok = c.name === 'next-div' ? nav.nextDivergence() : nav.prevDivergence();
      if (!ok) {
        write(`! no ${c.name === 'next-div' ? 'later' : 'earlier'} divergence`);
        continue;
      }
      const row = nav.row(nav.cursor);
      write(`divergence ${nav.divergenceOrdinal()} of ${nav.divergences}: ${nav.describe(row)}`);
      for (const l of nav.lines([nav.cursor], width)) write(l);
    } else if (c.name === 'down' || c.name === 'up') {
      nav.move(c.name === 'down' ? c.n : -c.n);
      for (const l of nav.lines([nav.cursor], width)) write(l);
    } else {
      const w = nav.window(nav.cursor - c.n, 2 * c.n + 1);
      for (const l of nav.lines(w.rows, width)) write(l);
    }
  }
}
