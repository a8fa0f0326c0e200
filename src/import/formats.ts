import type { NewEvent, TraceHeader } from '../model/index.js';
import { detectStrace, rawLineTimeNs, StraceParser, straceHeaderHints } from './strace/index.js';
import { GVISOR_FORMAT } from './gvisor/index.js';

/** Counts a line parser reports at the end of an import. */
export interface LineParserStats {
  lines: number;
  events: number;
  unparsed: number;
  /** The first few unparsed lines as `source:line: reason`. */
  samples: string[];
  /** Pieces of the program's own output found inside call lines (kept apart, not counted as unparsed). */
  output?: number;
}

/** A streaming parser of one log format: lines in, events out through the sink given to create(). */
export interface LineParser {
  /** One line without its newline; `pid` is the process a per-process file belongs to. */
  line(text: string, lineNo: number, source: string, pid?: number): void;
  end(): void;
  /** Notes for the trace's footer that only the end of the log gives (strace's -c/-C summary table). */
  endNotes?(): Record<string, string>;
  readonly stats: LineParserStats;
}

/** A log format `picotrace import` understands. */
export interface ImportFormat {
  /** Name given to --format. */
  name: string;
  /** The header's backend field for traces imported from this format. */
  backend: string;
  /** Confidence (0..1) that these first lines of a log are in this format. */
  detect(firstLines: string[]): number;
  /** Header fields the first lines tell (start time, argv, capture options). */
  headerHints(firstLines: string[]): Partial<TraceHeader>;
  /** Wall-clock ns of a raw line, used to merge per-process files; undefined when the line has no time. */
  lineTimeNs?(line: string): bigint | undefined;
  /** A parser writing events to `sink`, with line times made relative to startTimeNs. */
  createParser(sink: (ev: NewEvent) => void, opts: { startTimeNs?: bigint; source: string }): LineParser;
}

/** strace's text output, as strace writes it or as pasted into a bug report. */
export const STRACE_FORMAT: ImportFormat = {
  name: 'strace',
  backend: 'import:strace',
  detect: detectStrace,
  headerHints: straceHeaderHints,
  lineTimeNs: rawLineTimeNs,
  createParser: (sink, opts) => new StraceParser(sink, opts),
};

/** Every import format, by --format name; other formats register here. */
export const IMPORT_FORMATS: Map<string, ImportFormat> = new Map([
  [STRACE_FORMAT.name, STRACE_FORMAT],
  [GVISOR_FORMAT.name, GVISOR_FORMAT],
]);

/** Adds a format to the registry (used by format modules that live elsewhere). */
export function registerImportFormat(f: ImportFormat): void {
  IMPORT_FORMATS.set(f.name, f);
}

/** The format whose detect() is most confident about these lines, or undefined when none is above `min`. */
export function detectFormat(firstLines: string[], min = 0.5): ImportFormat | undefined {
  let best: ImportFormat | undefined;
  let score = min;
  for (const f of IMPORT_FORMATS.values()) {
    const s = f.detect(firstLines);
    if (s > score || (s === score && !best && s > 0)) {
      best = f;
      score = s;
    }
  }
  return best;
}
