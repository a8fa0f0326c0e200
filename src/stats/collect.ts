import { errnoName, type TraceEvent } from '../model/index.js';
import { pathsOfCall } from './path-args.js';

/** What a stats table groups calls by. */
export type StatsBy = 'call' | 'process' | 'errno' | 'path';

/** The groupings `stats --by` accepts, in the order the help lists them. */
export const STATS_BY: readonly StatsBy[] = ['call', 'process', 'errno', 'path'];

/** One line of a stats table. */
export interface StatsRow {
  /** Call name, pid, errno name or path. */
  key: string;
  calls: number;
  errors: number;
  /** Sum of the durations of the calls that have one (ns). */
  totalNs: number;
  /** Calls that had a duration. */
  timedCalls: number;
  /** Mean duration over timed calls (ns), 0 when none had one. */
  meanNs: number;
  /** Share of the total time of all calls, in percent. */
  percentTime: number;
  /** Per process: its command line; per errno and path: the calls involved, most frequent first. */
  detail?: string;
}

/** A finished stats table. */
export interface Stats {
  by: StatsBy;
  rows: StatsRow[];
  /** Rows left out by --top. */
  omittedRows: number;
  total: { calls: number; errors: number; totalNs: number; timedCalls: number };
  /** Calls counted in at least one row (for paths: calls that named a path; for errno: failed calls). */
  covered: { calls: number; errors: number };
  /** True when some call had a duration (the table is then sorted by time, as strace -c does). */
  timed: boolean;
  /** Distinct keys beyond the memory limit, counted together as `(other)`. */
  overflowKeys: boolean;
}

/** Options of StatsCollector. */
export interface StatsOptions {
  by: StatsBy;
  /** Keep at most this many rows after sorting (default: all). */
  top?: number;
  /** Distinct keys kept in memory before the rest are pooled as `(other)` (default 500000). */
  maxKeys?: number;
}

interface Acc {
  calls: number;
  errors: number;
  totalNs: number;
  timedCalls: number;
  names?: Map<string, number>;
}

const OTHER = '(other)';

/** Gathers strace -c style counts from events fed one at a time; holds one entry per distinct key, bounded by maxKeys. */
export class StatsCollector {
  private readonly acc = new Map<string, Acc>();
  private readonly commands = new Map<number, string>();
  private readonly total = { calls: 0, errors: 0, totalNs: 0, timedCalls: 0 };
  private readonly covered = { calls: 0, errors: 0 };
  private overflow = false;
  private readonly maxKeys: number;

  constructor(private readonly opts: StatsOptions) {
    this.maxKeys = opts.maxKeys ?? 500_000;
  }

  /** Counts one event (non-call events only name processes). */
  add(ev: TraceEvent): void {
    if (ev.kind === 'exec') {
      this.commands.set(ev.pid, ev.argv.join(' ') || ev.path);
      return;
    }
    if (ev.kind !== 'call') return;
    const dur = ev.durationNs;
    this.total.calls++;
    if (ev.errno) this.total.errors++;
    if (dur !== undefined) {
      this.total.totalNs += dur;
      this.total.timedCalls++;
    }
    switch (this.opts.by) {
      case 'call':
        this.count(ev.name, ev.errno !== 0, dur);
        break;
      case 'process':
        this.count(String(ev.pid), ev.errno !== 0, dur);
        break;
      case 'errno':
        if (ev.errno) this.count(errnoName(ev.errno), true, dur, ev.name);
        break;
      case 'path': {
        const paths = pathsOfCall(ev);
        for (const p of paths) this.count(p, ev.errno !== 0, dur, ev.name);
        if (paths.length === 0) return;
        break;
      }
    }
    if (this.opts.by === 'errno' && !ev.errno) return;
    this.covered.calls++;
    if (ev.errno) this.covered.errors++;
  }

  /** The sorted table: by total time when calls have durations, else by count; ties by key. */
  result(): Stats {
    const totalNs = this.total.totalNs;
    const timed = this.total.timedCalls > 0;
    const rows: StatsRow[] = [];
    for (const [key, a] of this.acc) {
      const row: StatsRow = {
        key,
        calls: a.calls,
        errors: a.errors,
        totalNs: a.totalNs,
        timedCalls: a.timedCalls,
        meanNs: a.timedCalls ? a.totalNs / a.timedCalls : 0,
        percentTime: totalNs > 0 ? (100 * a.totalNs) / totalNs : 0,
      };
      if (this.opts.by === 'process') {
        const cmd = this.commands.get(Number(key));
        if (cmd) row.detail = cmd;
      } else if (a.names) {
        row.detail = [...a.names]
          .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
          .slice(0, 4)
          .map(([n, c]) => `${n} ${c}`)
          .join(', ');
      }
      rows.push(row);
    }
    const byErrors = this.opts.by === 'path' || this.opts.by === 'errno';
    rows.sort((x, y) => (timed && !byErrors ? y.totalNs - x.totalNs : 0) || y.calls - x.calls || y.errors - x.errors || x.key.localeCompare(y.key));
    const top = this.opts.top ?? rows.length;
    return { by: this.opts.by, rows: rows.slice(0, top), omittedRows: Math.max(0, rows.length - top), total: { ...this.total }, covered: { ...this.covered }, timed, overflowKeys: this.overflow };
  }

  private count(key: string, failed: boolean, dur: number | undefined, name?: string): void {
    let a = this.acc.get(key);
    if (!a) {
      if (this.acc.size >= this.maxKeys) {
        this.overflow = true;
        key = OTHER;
        a = this.acc.get(key);
      }
      if (!a) this.acc.set(key, (a = { calls: 0, errors: 0, totalNs: 0, timedCalls: 0 }));
    }
    a.calls++;
    if (failed) a.errors++;
    if (dur !== undefined) {
      a.totalNs += dur;
      a.timedCalls++;
    }
    if (name !== undefined) {
      if (!a.names) a.names = new Map();
      a.names.set(name, (a.names.get(name) ?? 0) + 1);
    }
  }
}
