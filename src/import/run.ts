import { TraceWriter, type ChunkAnnotator } from '../format/writer.js';
import { makeHeader, type NewEvent } from '../model/index.js';
import { BadInputError } from '../util/errors.js';
import { detectFormat, IMPORT_FORMATS, type ImportFormat, type LineParserStats } from './formats.js';
import { SyncLineReader } from './lines.js';
import { PROGRAM_OUTPUT } from '../model/index.js';

/** Lines read ahead of parsing to detect the format and header fields. */
export const DETECT_LINES = 64;

/** What `picotrace import` asks for. */
export interface ImportOptions {
  /** Log files; `-` is stdin. Several files with numeric suffixes are strace -ff per-process files. */
  inputs: string[];
  output: string;
  /** A name from IMPORT_FORMATS, or `auto`. */
  format: string;
  /** Fail at the first line that does not parse. */
  strict?: boolean;
  /** Stored in the header's writer field. */
  writer?: string;
  annotator?: ChunkAnnotator;
  /** Called every few thousand lines with the number of lines read so far (for a progress line). */
  onProgress?: (lines: number) => void;
}

/** What an import did. */
export interface ImportResult {
  format: string;
  events: number;
  stats: LineParserStats;
  /** Names of the format's own notes stored in the footer (`straceSummary`). */
  notes: string[];
}

interface Source {
  reader: SyncLineReader;
  ahead: string[];
  pid?: number;
  head?: string;
  headNo: number;
  timeNs: bigint;
  /** What a paste put before every line (pastePrefix), taken off each as it is read. */
  prefix: string;
  /** A paste padded every line at its end (pastePadded): the spaces and tabs are taken off each. */
  padded: boolean;
  /** A paste turned spaces into no-break spaces (some of the first lines have one): each is a space again. */
  nbsp: boolean;
}

/**
 * The line without the carriage return a log saved with CRLF line ends (a Windows editor, a mail
 * client) keeps at its end: the header hints, the per-process files' times and the paste prefix
 * read lines before the parser would take it off.
 */
function noCR(l: string): string {
  return l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l;
}

function nextLine(src: Source): boolean {
  if (src.ahead.length) {
    src.head = src.ahead.shift();
    src.headNo++;
    return true;
  }
  let l = src.reader.next();
  if (l !== undefined) {
    l = noCR(l);
    if (src.nbsp) l = l.replaceAll(NBSP, ' ');
    if (src.padded) l = unpad(l);
    if (src.prefix) l = unprefix(l, src.prefix);
  }
  src.head = l;
  src.headNo = src.reader.lineNo;
  return src.head !== undefined;
}

/**
 * What a paste put before every line of a log: a mail reply's "> " (any depth), a tab or spaces of
 * indentation. It is the longest run of '>', spaces and tabs that every line of `lines` with other
 * text (two at least) begins with; empty when there is none. No line of strace's begins with '>' or a tab,
 * and those that begin with a space (strace -k's " > " frames, hex dumps) keep it once the run every
 * line shares is taken off.
 */
function pastePrefix(lines: string[]): string {
  let prefix: string | undefined;
  let n = 0;
  for (const l of lines) {
    // Blank, also once quoted (a bare ">").
    if (!/[^>\s]/.test(l)) continue;
    n++;
    if (prefix === undefined) {
      let k = 0;
      while (k < l.length && (l[k] === '>' || l[k] === ' ' || l[k] === '\t')) k++;
      prefix = l.slice(0, k);
    } else prefix = prefix.slice(0, shared(l, prefix));
    if (!prefix) return '';
  }
  return n >= 2 && prefix ? prefix : '';
}

/** `line` without as much of `prefix` as it begins with (a quoted empty line may be a bare ">"). */
function unprefix(line: string, prefix: string): string {
  const k = shared(line, prefix);
  return k ? line.slice(k) : line;
}

/**
 * Whether a paste padded every line with spaces or tabs at its end, as a terminal's copy pads lines
 * to its width: every line of `lines` with other text (two at least) ends with one. No line strace
 * writes ends so, and a wrap leaves a space at the end of some lines, not of every one.
 */
function pastePadded(lines: string[]): boolean {
  let n = 0;
  for (const l of lines) {
    if (!/[^ \t]/.test(l)) continue;
    const c = l.charCodeAt(l.length - 1);
    if (c !== 32 && c !== 9) return false;
    n++;
  }
  return n >= 2;
}

/** The line without the spaces and tabs at its end (only those: a latin1 0xa0 may be half a UTF-8 char). */
function unpad(line: string): string {
  let e = line.length;
  while (e > 0 && (line.charCodeAt(e - 1) === 32 || line.charCodeAt(e - 1) === 9)) e--;
  return e === line.length ? line : line.slice(0, e);
}

/** How many chars of `prefix` `line` begins with. */
function shared(line: string, prefix: string): number {
  let k = 0;
  while (k < prefix.length && line.charCodeAt(k) === prefix.charCodeAt(k)) k++;
  return k;
}

function perProcessPids(inputs: string[]): (number | undefined)[] {
  if (inputs.length < 2) return inputs.map(() => undefined);
  const pids = inputs.map((f) => /\.(\d+)$/.exec(f)?.[1]);
  return pids.every((p) => p !== undefined) ? pids.map(Number) : inputs.map(() => undefined);
}

/**
 * Imports text logs into a trace: detects (or takes) the format, streams every line through the
 * format's parser into a TraceWriter (merging per-process files by time), and returns the counts.
 * Throws BadInputError for an unknown format, an undetectable log, or (strict) the first bad line.
 */
export function importLogs(o: ImportOptions): ImportResult {
  if (o.inputs.filter((f) => f === '-').length > 1) throw new BadInputError('stdin (-) can be given only once');
  if (o.format !== 'auto' && !IMPORT_FORMATS.has(o.format))
    throw new BadInputError(`unknown log format "${o.format}" (known: ${[...IMPORT_FORMATS.keys()].join(', ')}, auto)`);
  const pids = perProcessPids(o.inputs);
  const sources: Source[] = [];
  try {
    for (let i = 0; i < o.inputs.length; i++) {
      const reader = new SyncLineReader(o.inputs[i], o.inputs.length > 1 ? 64 << 10 : 1 << 20);
      let ahead: string[] = [];
      for (let n = 0; n < DETECT_LINES; n++) {
        const l = reader.next();
        if (l === undefined) break;
        ahead.push(noCR(l));
      }
      const source: Source = { reader, ahead, pid: pids[i], headNo: 0, timeNs: -1n, prefix: '', padded: false, nbsp: false };
      sources.push(source);
      const not = notText(ahead[0] ?? '');
      if (not) {
        const stdin = reader.name === '-';
        throw new BadInputError(`is ${not.what}; import reads the log's text: ${not.cmd}${stdin ? '' : ` ${reader.name}`} | picotrace import - -o TRACE`, stdin ? 'stdin' : reader.name);
      }
      // A UTF-8 byte order mark, as Windows editors save a pasted log, is no part of the first line.
      if (ahead[0]?.startsWith(UTF8_BOM)) ahead[0] = ahead[0].slice(UTF8_BOM.length);
      source.nbsp = ahead.some((l) => l.includes(NBSP));
      if (source.nbsp) ahead = source.ahead = ahead.map((l) => l.replaceAll(NBSP, ' '));
      source.padded = pastePadded(ahead);
      if (source.padded) ahead = source.ahead = ahead.map(unpad);
      source.prefix = pastePrefix(ahead);
      if (source.prefix) source.ahead = ahead.map((l) => unprefix(l, source.prefix));
    }
    const first = sources[0].ahead;
    const empty = sources.find((s) => !s.ahead.some((l) => l.trim() !== ''));
    if (empty) throw new BadInputError('the log is empty', empty.reader.name === '-' ? 'stdin' : empty.reader.name);
    let format: ImportFormat | undefined;
    if (o.format === 'auto') {
      format = detectFormat(first);
      if (!format) throw new BadInputError(`cannot tell the log format (not ${[...IMPORT_FORMATS.keys()].join(' or ')}); give --format`, o.inputs[0]);
    } else format = IMPORT_FORMATS.get(o.format)!;
    if (sources.every((s) => s.pid !== undefined)) sources.sort((a, b) => a.pid! - b.pid!);
    return run(o, format, sources);
  } finally {
    for (const s of sources) s.reader.close();
  }
}

const UTF8_BOM = '\xef\xbb\xbf';
/**
 * A no-break space in UTF-8, as a mail or chat client makes of runs of spaces (strace's own lines
 * have none: it escapes every byte that is not ASCII, so only a program's output could).
 */
const NBSP = '\xc2\xa0';

/**
 * Files that are not a log's text, as bug reports attach them (strace.log.gz, a log a Windows editor
 * saved as UTF-16), by the bytes that begin them (lines are latin1, a char a byte), with the command
 * that prints their text. No strace or gVisor log begins with any of them.
 */
const NOT_TEXT = [
  { magic: '\x1f\x8b', what: 'gzip-compressed', cmd: 'zcat' },
  { magic: '\xfd7zXZ\x00', what: 'xz-compressed', cmd: 'xzcat' },
  { magic: '\x28\xb5\x2f\xfd', what: 'zstd-compressed', cmd: 'zstdcat' },
  { magic: 'BZh', what: 'bzip2-compressed', cmd: 'bzcat', more: /^BZh[1-9]1AY&SY/ },
  { magic: '\xff\xfe', what: 'UTF-16 text', cmd: 'iconv -f UTF-16 -t UTF-8' },
  { magic: '\xfe\xff', what: 'UTF-16 text', cmd: 'iconv -f UTF-16 -t UTF-8' },
];

function notText(firstLine: string): { what: string; cmd: string } | undefined {
  return NOT_TEXT.find((c) => firstLine.startsWith(c.magic) && (!c.more || c.more.test(firstLine)));
}

function run(o: ImportOptions, format: ImportFormat, sources: Source[]): ImportResult {
  const hints = format.headerHints(sources.flatMap((s) => s.ahead));
  const header = makeHeader({
    backend: format.backend,
    argv: hints.argv ?? [],
    startTimeNs: hints.startTimeNs ?? 0n,
    captureOptions: { format: format.name, ...(hints.captureOptions ?? {}) },
    notes: [`imported from ${o.inputs.map((f) => (f === '-' ? 'stdin' : f)).join(', ')}`],
    writer: o.writer ?? 'picotrace',
  });
  const writer = TraceWriter.create(o.output, header, { atomic: true, annotator: o.annotator });
  try {
    const parser = format.createParser(
      (ev: NewEvent) => {
        if (o.strict && ev.kind === 'unparsed' && ev.reason !== PROGRAM_OUTPUT) throw new BadInputError(ev.reason, `${ev.source}:${ev.line}`);
        writer.append(ev);
      },
      { startTimeNs: hints.startTimeNs, source: o.inputs[0] === '-' ? 'stdin' : o.inputs[0] },
    );
    const live = sources.filter((s) => nextLine(s));
    const name = (s: Source) => (s.reader.name === '-' ? 'stdin' : s.reader.name);
    let lines = 0;
    const tick = o.onProgress ? () => (++lines & 4095) === 0 && o.onProgress!(lines) : () => false;
    if (live.length === 1 || !format.lineTimeNs) {
      for (const s of live) {
        do {
          parser.line(s.head!, s.headNo, name(s), s.pid);
          tick();
        } while (nextLine(s));
      }
    } else {
      for (const s of live) s.timeNs = format.lineTimeNs(s.head!) ?? -1n;
      while (live.length) {
        let k = 0;
        for (let i = 1; i < live.length; i++) if (live[i].timeNs < live[k].timeNs) k = i;
        const s = live[k];
        parser.line(s.head!, s.headNo, name(s), s.pid);
        tick();
        if (!nextLine(s)) live.splice(k, 1);
        else s.timeNs = format.lineTimeNs(s.head!) ?? s.timeNs;
      }
    }
    parser.end();
    const notes = parser.endNotes?.() ?? {};
    writer.close({ endNotes: { unparsedLines: String(parser.stats.unparsed), lines: String(parser.stats.lines), ...notes } });
    return { format: format.name, events: writer.count, stats: parser.stats, notes: Object.keys(notes) };
  } catch (err) {
    writer.abort();
    throw err;
  }
}
