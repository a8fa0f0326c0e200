import { argString, type ArgValue, type TraceHeader } from '../../model/index.js';
import { parseLine, type LineRecord } from './line.js';
import { StraceSyntaxError } from './quoted.js';
import { dumpBufferHead } from './dump.js';
import { isSummaryLine, MAX_JOIN_LINES, SUMMARY_HEAD } from './assemble.js';

function tryParse(line: string): LineRecord | undefined {
  try {
    return parseLine(line);
  } catch (err) {
    if (err instanceof StraceSyntaxError) return undefined;
    throw err;
  }
}

const RECORD_START = /^(\[pid +\d+(<[^>]*>)?\] |\d+(<[^>]*>)? +|\d+[.:]\d|<\.\.\. |--- |\+\+\+ |[a-z_][a-z0-9_]*\()/;

/** How much the first lines of a log look like strace output: the share of non-empty lines that parse (0..1). */
export function detectStrace(firstLines: string[]): number {
  let seen = 0;
  let ok = 0;
  let summary = false;
  for (const raw of firstLines) {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
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
      if (err.cut && RECORD_START.test(l)) ok++;
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

/** A line cut short joined to the lines after it (a terminal's wrapping), as the parser joins them: at most MAX_JOIN_LINES. */
function parseWrapped(lines: string[], i: number): LineRecord | undefined {
  let text = lines[i];
  for (let j = i; j < lines.length && j < i + MAX_JOIN_LINES; j++) {
    if (j > i) text += lines[j];
    try {
      return parseLine(text);
    } catch (err) {
      if (!(err instanceof StraceSyntaxError)) throw err;
      if (!err.cut) return undefined;
    }
  }
  return undefined;
}

/** Header fields a log's first lines tell: start time, the first exec's argv, the timestamp style. */
export function straceHeaderHints(firstLines: string[]): Partial<TraceHeader> {
  const hints: Partial<TraceHeader> = { captureOptions: {} };
  for (let i = 0; i < firstLines.length; i++) {
    const r = parseWrapped(firstLines, i);
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
  const r = tryParse(line);
  return r ? lineTimeNs(r) : undefined;
}
