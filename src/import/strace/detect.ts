import { argString, type ArgValue, type TraceHeader } from '../../model/index.js';
import { parseLine, tryParseLine, type LineRecord } from './line.js';
import { StraceSyntaxError } from './quoted.js';
import { dumpBufferHead } from './dump.js';
import { isSummaryLine, looksLikeRecordStart, MAX_JOIN_LINES, SUMMARY_HEAD } from './assemble.js';

/**
 * How much the first lines of a log look like strace output: the share of non-empty lines that parse
 * (0..1), a line cut short by wrapping counting with the lines that complete it, as the parser joins them.
 */
export function detectStrace(firstLines: string[]): number {
  const lines = firstLines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let seen = 0;
  let ok = 0;
  let summary = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim()) continue;
    seen++;
    // strace's -c/-C summary table (the whole log with -c).
    if (summary ? isSummaryLine(l) : SUMMARY_HEAD.test(l)) {
      summary = true;
      ok++;
      continue;
    }
    // A stack frame of strace -k or a line of a hex dump (-e read=, -e write=), which the parser
    // attaches to the call before it.
    if (l.startsWith(' > ') || l.startsWith(' | ') || dumpBufferHead(l)) {
      ok++;
      continue;
    }
    try {
      if (parseLine(l).body.t !== 'message') ok++;
    } catch (err) {
      if (!(err instanceof StraceSyntaxError)) throw err;
      if (!err.cut || !looksLikeRecordStart(l)) continue;
      ok++;
      // Wrapped: the lines that complete it (or that the sample ends within) count with it.
      const w = joinWrapped(lines, i);
      if (w.rec || w.open) {
        seen += w.lines - 1;
        ok += w.lines - 1;
        i += w.lines - 1;
      }
    }
  }
  return seen ? ok / seen : 0;
}

/** The wall-clock time of a parsed line as ns since the epoch (time-of-day stamps count from day 0), or undefined. */
export function lineTimeNs(rec: LineRecord): bigint | undefined {
  const t = rec.time;
  if (!t || t.style === 'rel') return undefined;
  return BigInt(t.sec) * 1000000000n + BigInt(t.ns);
}

/**
 * A line cut short joined to the lines after it (a terminal's wrapping), as the parser joins them: at
 * most MAX_JOIN_LINES. `rec` is the line that parsed, if one did; `lines` how many were joined;
 * `open` that `lines` ended while the line was still cut.
 */
function joinWrapped(lines: string[], i: number): { rec?: LineRecord; lines: number; open: boolean } {
  let text = lines[i];
  let j = i;
  for (; j < lines.length && j < i + MAX_JOIN_LINES; j++) {
    if (j > i) text += lines[j];
    try {
      return { rec: parseLine(text), lines: j - i + 1, open: false };
    } catch (err) {
      if (!(err instanceof StraceSyntaxError)) throw err;
      if (!err.cut) return { lines: j - i + 1, open: false };
    }
  }
  return { lines: j - i, open: j === lines.length };
}

/** Header fields a log's first lines tell: start time, the first exec's argv, the timestamp style. */
export function straceHeaderHints(firstLines: string[]): Partial<TraceHeader> {
  const hints: Partial<TraceHeader> = { captureOptions: {} };
  for (let i = 0; i < firstLines.length; i++) {
    const r = joinWrapped(firstLines, i).rec;
    if (!r) continue;
    if (hints.startTimeNs === undefined && r.time) {
      hints.startTimeNs = lineTimeNs(r) ?? 0n;
      hints.captureOptions!.timestamps = r.time.style;
    }
    if (!hints.argv && r.body.t === 'call' && r.body.name === 'execve' && r.body.result.retval === 0) {
      const argv = r.body.args[1];
      if (argv && argv.k === 'array') hints.argv = argv.items.map((a: ArgValue) => argString(a) ?? '');
    }
  }
  return hints;
}

/** The time of one raw line as ns since the epoch, for merging per-process (-ff) files; undefined when it has none. */
export function rawLineTimeNs(line: string): bigint | undefined {
  const r = tryParseLine(line);
  return r ? lineTimeNs(r) : undefined;
}
