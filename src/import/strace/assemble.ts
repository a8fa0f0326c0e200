import { argString, CallFlags, errnoNumber, PROGRAM_OUTPUT, signalNumber, type ArgValue, type CallEvent, type EnvVar, type NewEvent } from '../../model/index.js';
import { CLONE_FLAG_BITS, cloneFlagsOf, isThreadFlags } from './clone.js';
import { extractBuffers } from './data.js';
import { DUMP_BUFFER, DUMP_LINE, DumpCollector, dumpBufferHead } from './dump.js';
import { parseJoined, parseLine, tryParseLine, UNFINISHED, type LineBody, type LineRecord, type LineTime } from './line.js';
import { callInfo, type CallInfo } from './names.js';
import { StraceSyntaxError } from './quoted.js';
import type { CallResult } from './scan.js';

/** Receives every event the parser produces, in order. */
export type EventSink = (ev: NewEvent) => void;

/** Options of a StraceParser. */
export interface StraceParserOptions {
  /** Wall-clock time the header's startTimeNs stands for; line times are made relative to it. */
  startTimeNs?: bigint;
  /** Name of the log in unparsed events and messages (a file name, `-`, `strace`). */
  source?: string;
  /** Joins a line that ends too early with the following ones (copy-and-paste wrapping). Default true. */
  joinWrapped?: boolean;
  /**
   * Keeps a root process printed without a pid (strace -f to stderr) back until a line names it,
   * to give its events that pid instead of 0 (at most MAX_PROVISIONAL events). Default true.
   */
  nameRoot?: boolean;
}

/** Counts of what a parse saw. */
export interface ParseStats {
  lines: number;
  events: number;
  calls: number;
  unparsed: number;
  /** The first few unparsed lines, as `source:line: reason`. */
  samples: string[];
  /** Pieces of the program's own output found inside call lines (see PROGRAM_OUTPUT). */
  output: number;
}


/** A call line cut short, and the lines joined to it so far (`breaks`: where each joined line began). */
interface Wrapped {
  text: string;
  line: number;
  source: string;
  pid?: number;
  breaks: number[];
  /** A resumed call's line, whose rest ended too early (waitForRest). */
  resumed?: boolean;
}

/** strace's end of a call line, after the program's output: `)`, padding, `= `. */
const RESULT_AFTER_OUTPUT = /^\)\s*= /;
/** The rest of a call line wrapped just after its result: more of the value or errno, the errno's text, then the duration. */
const RESULT_TAIL = /^[0-9A-Za-z_]*( [A-Z][A-Z0-9_]*)?( ?\(.*\))? ?<\d+(\.\d+)?>$/;
/**
 * The rest of a call line wrapped just after its result that no line of its own looks like, in a log
 * without durations: the fd annotation of the result (`</etc/ld.so.cache>`, `<TCP:[...]>`; not
 * `<html>`, which a program may print), the rest of its errno and the errno's text
 * (`NT (No such file or directory)`), or a duration (before the log's first was read).
 */
const UNTIMED_TAIL = /^(<(\/|[A-Za-z_]+:)[^<>]*(<[^<>]*>)?>|<\d+\.\d+>|[A-Z][A-Z0-9_]* \(.*\))$/;
const ERRNO_TEXT = /^ ?\([A-Z][^()]*\)$/;

interface Pending {
  name: string;
  argsText: string;
  timeNs?: number;
  line: number;
  source: string;
}

interface ChildInfo {
  parentTid: number;
  flags: number;
}

const INTERRUPTED = new Set([512, 513, 514, 516, 4]);
/** A line that ends an unfinished call, then spaces or tabs. */
const UNFINISHED_PADDED = / <unfinished \.\.\.>[ \t]+$/;

/**
 * Lines a wrapped call line is joined from at most: a 256-byte buffer of octal escapes (1 KiB of
 * text) and the rest of its line, wrapped at 60 columns, take some twenty.
 */
export const MAX_JOIN_LINES = 32;
const DAY_S = 86400;
const PID_PREFIX = /^\s*(?:\[pid +(\d+)(?:<[^>]*>)?\]|(\d+)(?:<[^>]*>)? +\d)/;
const ATTACHED_INSIDE = /strace: Process \d+ (attached|detached)$/;
const MAX_JOIN_CHARS = 1 << 16;
/**
 * The header of strace's -c/-C summary table: its column names (`% time     seconds  usecs/call ...`,
 * or those chosen with -U).
 */
export const SUMMARY_HEAD = /^\s*(% time|seconds|usecs\/call|calls|errors|syscall|shortest|longest)(\s+(% time|seconds|usecs\/call|calls|errors|syscall|shortest|longest))+\s*$/;

/**
 * A line of a summary table once its header has been seen: rows of numbers and a call name, rule
 * lines, the `System call usage summary for 32 bit mode:` of another personality's table, blank
 * lines. Never a call, signal or exit, which have `(`, `---` or `+++`.
 */
export function isSummaryLine(text: string): boolean {
  if (/^[-\s]+$/.test(text) || SUMMARY_HEAD.test(text)) return true;
  return !text.includes('(') && !text.includes('+++') && !text.includes('---');
}

/** Events kept back at most while the root process has no pid yet; after that it stays 0. */
export const MAX_PROVISIONAL = 16384;

/** Events that can carry a stack. */
type StackHolder = Extract<NewEvent, { kind: 'call' | 'signal' | 'exit' }>;

/** How strace -k starts each frame of a call's stack, on the lines after the call. */
const STACK_FRAME = ' > ';

/**
 * Turns strace output lines into events: pairs `<unfinished ...>` with `<... resumed>` per thread,
 * tracks which thread belongs to which process, emits start, exec, signal and exit events, and keeps
 * every line it cannot parse as an unparsed event with its line number. Feed lines in order with
 * line(); call end() once.
 */
export class StraceParser {
  readonly stats: ParseStats = { lines: 0, events: 0, calls: 0, unparsed: 0, samples: [], output: 0 };
  private readonly pending = new Map<number, Pending>();
  private readonly tgid = new Map<number, number>();
  private readonly children = new Map<number, ChildInfo>();
  private readonly live = new Set<number>();
  private rootTid: number | undefined;
  private rootUnnamed = false;
  private readonly alias = new Map<number, number>();
  private baseSec = 0;
  private baseNs = 0;
  private hasBase: boolean;
  private relNs = 0;
  private todDays = 0;
  private lastTodNs = 0;
  private wrapped: Wrapped | undefined;
  /**
   * A call line with the program's output after its last argument: the call up to there (`head`),
   * the output read so far, one piece per line, and the lines themselves in case strace's end of the
   * line never comes.
   */
  private output: { head: string; parts: string[]; chars: number; first: string; reason: string; line: number; source: string; pid?: number; rest: { text: string; no: number }[] } | undefined;
  private readonly source: string;
  /**
   * The last call, signal or exit emitted, held back until the next line that is not a stack frame
   * (strace -k prints the frames of each on the lines after it), and the events emitted after it
   * meanwhile.
   */
  private held: StackHolder | undefined;
  private readonly heldAfter: NewEvent[] = [];
  /**
   * The held call when its line read as whole but without a duration, in a log whose calls have
   * them (a terminal may have wrapped it just after its result, see rejoinHeld): how to read the
   * call again with the next line's text after its own.
   */
  private heldLine: HeldLine | undefined;
  /**
   * In a log without durations, the line of the held call, when it read as whole: a wrap after its
   * result is taken back only for a rest that cannot be a line of its own (see UNTIMED_TAIL).
   */
  private untimedText: string | undefined;
  private untimedEv: StackHolder | undefined;
  /** Calls read with a duration (-T) so far. */
  private timedCalls = 0;
  /** What was held at the last releaseQuiet(). */
  private heldAtTick: StackHolder | undefined;
  /**
   * Events kept back while the root process is known only as 0 (an `strace -f` log written to
   * stderr prints no pid until there is a second process): they get its pid once a line names it.
   */
  private provisional: NewEvent[] | undefined;
  /** The lines of strace's -c/-C summary table, from its header on. */
  private readonly summary: string[] = [];
  /** The hex dump of one of the held call's buffers being read. */
  private dump: DumpCollector | undefined;

  constructor(
    private readonly sink: EventSink,
    private readonly opts: StraceParserOptions = {},
  ) {
    this.source = opts.source ?? 'strace';
    this.hasBase = opts.startTimeNs !== undefined;
    if (opts.startTimeNs !== undefined) {
      this.baseSec = Number(opts.startTimeNs / 1000000000n);
      this.baseNs = Number(opts.startTimeNs % 1000000000n);
    }
  }

  /** The first thread seen (the traced program's root process), once known. */
  get rootPid(): number | undefined {
    return this.rootTid;
  }

  /** Processes (tgids) with a thread still running, the root first; for forwarding signals. */
  liveProcesses(): number[] {
    const out = new Set<number>();
    if (this.rootTid !== undefined && this.live.has(this.rootTid)) out.add(this.rootTid);
    for (const t of this.live) out.add(this.tgid.get(t) ?? t);
    return [...out];
  }

  /** Feeds one line (without its newline). `pid` applies to lines without a pid prefix (-ff files). */
  line(text: string, lineNo: number, source = this.source, pid?: number): void {
    this.stats.lines++;
    if (text.length && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    // Spaces after a line's end, as a terminal's copy or a mail client pads lines, are taken off
    // where they would hide the end that marks an unfinished call (elsewhere the grammar skips them,
    // and a wrapped line's trailing space may be part of a string the next line continues).
    const last = text.charCodeAt(text.length - 1);
    if ((last === 32 || last === 9) && UNFINISHED_PADDED.test(text)) text = text.trimEnd();
    if (this.output) {
      const o = this.output;
      o.rest.push({ text, no: lineNo });
      // A line of strace's own (another process's call, a signal, an exit) ends the search: the
      // call line was not one with output after all, and is read as it was.
      if (looksLikeRecordStart(text)) this.giveUpOutput();
      else if (!this.endOutput(text)) {
        o.parts.push(text);
        o.chars += text.length;
        if (o.parts.length > MAX_JOIN_LINES || o.chars > MAX_JOIN_CHARS) this.giveUpOutput();
      }
      return;
    }
    // A stack frame (strace -k) or hex dump line (strace -e read=, -e write=) belongs to the event
    // held from the line before.
    const extra = text.charCodeAt(0) === 32 && (text.startsWith(STACK_FRAME) || text.startsWith(DUMP_LINE) || text.startsWith(DUMP_BUFFER));
    // The rest of a stack frame a wrap cut (every frame ends with its `[0x...]` address).
    const frames = this.held?.stack;
    if (frames !== undefined && !extra && !frames[frames.length - 1].endsWith(']') && text.length > 0 && !looksLikeRecordStart(text)) {
      frames[frames.length - 1] += text;
      return;
    }
    if (this.heldLine !== undefined && !extra && this.rejoinHeld(text)) return;
    this.heldLine = undefined;
    if (this.untimedEv !== undefined) {
      const ev = this.untimedEv;
      this.untimedEv = undefined;
      const c = text.charCodeAt(0);
      // (An errno's text alone only after a call that failed: a line of output could read so.)
      const tail = c === 60 || (c >= 65 && c <= 90) ? UNTIMED_TAIL.test(text) : (c === 40 || c === 32) && ev.kind === 'call' && ev.errno !== 0 && ERRNO_TEXT.test(text);
      if (tail && this.rejoin({ ev, reparse: reparseCall(this.untimedText!) }, text, false)) return;
    }
    if (!extra && this.held) this.release();
    if (this.wrapped) {
      const w = this.wrapped;
      if (this.tryJoined(w, text)) return;
      this.wrapped = undefined;
      this.abandonWrapped(w);
    }
    if (extra) {
      if (text.charCodeAt(1) === 62) this.stackFrame(text, lineNo, source, pid);
      else this.dumpLine(text, lineNo, source, pid);
      return;
    }
    const c0 = text.charCodeAt(0);
    // (Char checks first: these tests would otherwise run on every line.)
    if (this.summary.length ? isSummaryLine(text) : (c0 === 37 || c0 === 32 || (c0 >= 97 && c0 <= 122)) && text.indexOf('(') < 0 && SUMMARY_HEAD.test(text)) {
      this.summary.push(text);
      return;
    }
    if (text.length === 0 || ((c0 <= 32 || c0 === 160) && text.trim() === '')) return;
    const msg = text.charCodeAt(text.length - 1) === 100 && text.endsWith('ached') ? ATTACHED_INSIDE.exec(text) : null;
    if (msg && msg.index > 0) {
      this.wrapped = { text: text.slice(0, msg.index), line: lineNo, source, pid, breaks: [] };
      return;
    }
    let rec: LineRecord;
    try {
      rec = parseLine(text);
    } catch (err) {
      if (!(err instanceof StraceSyntaxError)) throw err;
      if (this.startOutput(text, lineNo, source, pid, err.cut ? 'line ends too early (cut)' : `${err.message} at column ${err.pos + 1}`)) return;
      if (err.cut && this.opts.joinWrapped !== false) {
        this.wrapped = { text, line: lineNo, source, pid, breaks: [] };
        return;
      }
      if (this.resumedWithoutHeader(text, lineNo, source)) return;
      this.unparsed(text, lineNo, source, `${err.message} at column ${err.pos + 1}`, pid);
      return;
    }
    // Output without a newline, all on the call's line: `write(1, "hi", 2hi)   = 2` reads as a call
    // whose last argument is the raw `2hi`.
    const b = rec.body;
    if (b.t === 'call' && b.args.length && b.args[b.args.length - 1].k === 'raw' && this.startOutput(text, lineNo, source, pid)) return;
    this.handle(rec, lineNo, source, pid, text);
    this.holdLine(rec, text);
  }

  /** Keeps the line of a call just handled that lacks the duration the log's other calls have, for rejoinHeld. */
  private holdLine(rec: LineRecord, text: string): void {
    const b = rec.body;
    if (b.t !== 'call' || b.result.durationNs !== undefined || this.opts.joinWrapped === false || !this.held) return;
    if (this.timedCalls > 0) this.heldLine = { ev: this.held, reparse: reparseCall(text) };
    else {
      this.untimedText = text;
      this.untimedEv = this.held;
    }
  }

  /** Whether the call just made (held) with this result may be the first part of a line wrapped after its result, in a log with durations. */
  private mayRejoin(result: CallResult): boolean {
    return result.durationNs === undefined && this.timedCalls > 0 && this.opts.joinWrapped !== false && this.held !== undefined;
  }

  /**
   * A terminal's wrap just after a complete result: `... = 0x7f8b6f` read as a whole call, and the
   * next line, `026000 <0.000011>`, as nothing. When the held call's line (heldLine) reads, with
   * `text` joined to it, as the same call with a duration, the held call takes that line's result.
   * Not for a clone or exec whose result would change (what followed from it is already done).
   */
  private rejoinHeld(text: string): boolean {
    const line = this.heldLine!;
    this.heldLine = undefined;
    return RESULT_TAIL.test(text) && this.rejoin(line, text, true);
  }

  /** Takes `text` as the rest of the held call's line when they read as one call (with a duration, when `timed`). */
  private rejoin(line: HeldLine, text: string, timed: boolean): boolean {
    const held = this.held;
    if (!held || held !== line.ev || held.kind !== 'call') return false;
    // A wrap at a space may have taken the space with it (a mail client's, say).
    let b: ReturnType<HeldLine['reparse']>;
    for (const tail of [text, ` ${text}`]) {
      b = line.reparse(tail);
      if (b && (!timed || b.result.durationNs !== undefined)) break;
    }
    if (!b || (timed && b.result.durationNs === undefined)) return false;
    const next = buildCall(held.tid, held.pid, b.info, b.args, b.result, held.timeNs, 0);
    if ((next.retval !== held.retval || next.errno !== held.errno) && (b.info.clone || b.info.exec)) return false;
    // Else the rest must give what it looked like: a duration (the log's first), an errno, an fd's
    // annotation, or the text of the errno the call already had.
    if (!timed && next.durationNs === undefined && !((next.errno !== 0 && next.errno !== held.errno) || (next.retAnnotation !== undefined && held.retAnnotation === undefined) || (held.errno !== 0 && ERRNO_TEXT.test(text)))) return false;
    held.retval = next.retval;
    held.errno = next.errno;
    held.flags = next.flags;
    held.buffers = next.buffers;
    held.durationNs = next.durationNs;
    if (next.retAnnotation === undefined) delete held.retAnnotation;
    else held.retAnnotation = next.retAnnotation;
    if (next.durationNs !== undefined) this.timedCalls++;
    return true;
  }

  /**
   * Reads `text` as a call line with the program's output after its last argument, when it is one.
   * Given no `reason` (the line parsed as it is), only an end on the same line will do; otherwise the
   * output may go on over the next lines, and `reason` is why the line is unparsed if no end comes.
   */
  private startOutput(text: string, lineNo: number, source: string, pid: number | undefined, reason?: string): boolean {
    const at = outputStart(text);
    if (at < 0) return false;
    const o = { head: text.slice(0, at), parts: [] as string[], chars: 0, first: text, reason: reason ?? '', line: lineNo, source, pid, rest: [] as { text: string; no: number }[] };
    this.output = o;
    if (this.endOutput(text.slice(at))) return true;
    if (reason === undefined) {
      this.output = undefined;
      return false;
    }
    o.parts.push(text.slice(at));
    o.chars = text.length - at;
    return true;
  }

  /**
   * strace -z and -Z print the rest of a call that was left `<unfinished ...>` without its
   * `PID <... NAME resumed>` header: a line such as `)   = 3`. When exactly one call is unfinished,
   * that is whose rest it is.
   */
  private resumedWithoutHeader(text: string, lineNo: number, source: string): boolean {
    if (this.pending.size !== 1 || !/^\s*[),]/.test(text)) return false;
    const [tid, p] = this.pending.entries().next().value!;
    this.handle({ pid: tid, body: { t: 'resumed', name: p.name, restText: text } }, lineNo, source);
    return true;
  }

  /**
   * A resumed line whose rest ends too early (`<... wait4 resumed>[...]`, then `, 0, NULL) = 5` on the
   * next line) is held as a wrapped line, to be read again with the lines after it joined; true when
   * it is. Only for a line read whole (`text`), as long as a wrapped line may grow.
   */
  private waitForRest(err: StraceSyntaxError, text: string | undefined, lineNo: number, source: string, pid: number | undefined): boolean {
    if (!err.cut || text === undefined || this.opts.joinWrapped === false || text.length >= MAX_JOIN_CHARS) return false;
    this.wrapped = { text, line: lineNo, source, pid, breaks: [], resumed: true };
    return true;
  }

  /** A wrapped line no later line completed: unparsed, and a resumed call's as it was before the wait (its pending start taken with it). */
  private abandonWrapped(w: Wrapped): void {
    if (w.resumed) this.handle(parseLine(w.text), w.line, w.source, w.pid);
    else this.unparsed(w.text, w.line, w.source, 'line ends too early (cut)', w.pid);
  }

  private tryJoined(w: Wrapped, text: string): boolean {
    // A line of strace's own is not the rest of a resumed call (whose line parsed as one), nor one
    // that begins with a pid or time stamp the rest of another (but for one cut just after its own).
    if (w.resumed ? looksLikeRecordStart(text) : PREFIXED_START.test(text) && !restOfPrefix(w.text, text)) return false;
    // Nor are digits alone a pid whose space a wrap took: they may be the end of a number.
    if (/^\d+$/.test(w.text)) return false;
    // A pid or time stamp is followed by a space, which a wrap may have taken.
    const seps = /\S$/.test(w.text) && PREFIX_ONLY.test(w.text) ? [' '] : ['', ' '];
    for (const sep of seps) {
      const joined = w.text + sep + text;
      let rec: LineRecord;
      try {
        rec = parseLine(joined);
      } catch (err) {
        if (!(err instanceof StraceSyntaxError)) throw err;
        if (err.cut && sep === seps[0] && w.breaks.length + 1 < MAX_JOIN_LINES && joined.length < MAX_JOIN_CHARS) {
          w.breaks.push(w.text.length);
          w.text = joined;
          return true;
        }
        continue;
      }
      this.wrapped = undefined;
      // Output that begins with digits, ending each line it is on (`write(1, "42\n", 342` then
      // `) = 3`), reads as a longer count: the digits beyond the result's, with the line breaks
      // between them, are the program's output.
      const extra = sep === '' && RESULT_AFTER_OUTPUT.test(text) ? countOverrun(w.text, rec) : 0;
      if (extra > 0) {
        const head = w.text.length - extra;
        let out = '';
        let from = head;
        for (const b of w.breaks) {
          if (b <= head) continue;
          out += `${w.text.slice(from, b)}\n`;
          from = b;
        }
        out += `${w.text.slice(from)}\n`;
        const call = parseLine(w.text.slice(0, head) + text);
        this.handle(call, w.line, w.source, w.pid);
        this.stats.output++;
        this.emitUnparsed(out, w.line, w.source, PROGRAM_OUTPUT, w.pid ?? call.pid);
        return true;
      }
      this.handle(rec, w.line, w.source, w.pid, joined);
      this.holdLine(rec, joined);
      return true;
    }
    return false;
  }

  /**
   * Looks for strace's end of the call line in one more line (or the rest of the first) of the
   * program's output: the last `) = RESULT` after which the call parses, or ` <unfinished ...>`.
   * When found, the call and the output are handed on and true is returned.
   */
  private endOutput(s: string): boolean {
    const o = this.output!;
    // The call may also be left unfinished after the output (`write(1, "b\n", 2a` then
    // ` <unfinished ...>`, another process's output having landed there).
    const ends: number[] = [];
    for (let i = s.lastIndexOf(')'); i >= 0; i = i > 0 ? s.lastIndexOf(')', i - 1) : -1) if (RESULT_AFTER_OUTPUT.test(s.slice(i))) ends.push(i);
    if (s.endsWith(UNFINISHED)) ends.push(s.length - UNFINISHED.length);
    for (const i of ends) {
      const tail = s.slice(i);
      let rec: LineRecord;
      try {
        rec = parseLine(o.head + tail);
      } catch (err) {
        if (!(err instanceof StraceSyntaxError)) throw err;
        continue;
      }
      this.output = undefined;
      o.parts.push(s.slice(0, i));
      let text = o.parts.join('\n');
      // Output that begins with digits runs into the count (`write(1, "42\n", 342`): the count is
      // what was written, so digits beyond the result's belong to the output.
      const extra = countOverrun(o.head, rec);
      if (extra > 0) {
        text = o.head.slice(o.head.length - extra) + text;
        rec = parseLine(o.head.slice(0, o.head.length - extra) + tail);
      }
      this.handle(rec, o.line, o.source, o.pid);
      this.stats.output++;
      this.emitUnparsed(text, o.line, o.source, PROGRAM_OUTPUT, o.pid ?? rec.pid);
      return true;
    }
    return false;
  }

  /**
   * No end of the call line came within MAX_JOIN_LINES lines or MAX_JOIN_CHARS characters, or a line
   * of strace's own came first: the call line is unparsed, and the lines read since are parsed afresh.
   */
  private giveUpOutput(): void {
    const o = this.output!;
    this.output = undefined;
    this.unparsed(o.first, o.line, o.source, o.reason, o.pid);
    this.stats.lines -= o.rest.length;
    for (const r of o.rest) this.line(r.text, r.no, o.source, o.pid);
  }

  /** Flushes a pending wrapped line and every call still unfinished; call once after the last line. */
  end(): void {
    while (this.output) this.giveUpOutput();
    if (this.held) this.release();
    if (this.wrapped) {
      const w = this.wrapped;
      this.wrapped = undefined;
      this.abandonWrapped(w);
    }
    for (const tid of [...this.pending.keys()]) this.flushPending(tid);
    if (this.held) this.release();
    this.endProvisional();
  }

  /**
   * For a live source, called every so often: hands on the held call, signal or exit once it has
   * been held since the previous call, i.e. when no line has come for that long (its stack frames,
   * if any, come right after it). So a recorder that is killed loses no more than that interval.
   */
  releaseQuiet(): void {
    if (this.held && this.held === this.heldAtTick) this.release();
    this.heldAtTick = this.held;
  }

  /** strace's -c/-C summary table, when the log ends with one (for the trace's footer). */
  endNotes(): Record<string, string> {
    return this.summary.length ? { straceSummary: this.summary.join('\n').trimEnd() } : {};
  }

  private emit(ev: NewEvent): void {
    if (ev.kind === 'call' || ev.kind === 'signal' || ev.kind === 'exit') {
      if (this.held) this.release();
      this.held = ev;
      return;
    }
    if (this.held) {
      this.heldAfter.push(ev);
      return;
    }
    this.stats.events++;
    this.deliver(ev);
  }

  /** Hands an event to the sink, or keeps it while the root process has no pid yet. */
  private deliver(ev: NewEvent): void {
    if (!this.provisional) {
      this.sink(ev);
      return;
    }
    this.provisional.push(ev);
    if (this.provisional.length >= MAX_PROVISIONAL) this.endProvisional();
  }

  /** Hands on the events kept while the root had no pid (it keeps 0 if it never got one). */
  private endProvisional(): void {
    const kept = this.provisional;
    if (!kept) return;
    this.provisional = undefined;
    for (const ev of kept) this.sink(ev);
  }

  /**
   * Gives the root process, known as 0 until now, its real pid: in what the parser tracks and in
   * the events not yet handed on; then hands them on.
   */
  private renameRoot(to: number): void {
    const from = this.rootTid!;
    for (const m of [this.tgid, this.pending, this.children] as Map<number, unknown>[]) {
      if (!m.has(from)) continue;
      m.set(to, m.get(from));
      m.delete(from);
    }
    for (const [t, p] of this.tgid) if (p === from) this.tgid.set(t, to);
    for (const c of this.children.values()) if (c.parentTid === from) c.parentTid = to;
    for (const [t, a] of this.alias) if (a === from) this.alias.set(t, to);
    if (this.live.delete(from)) this.live.add(to);
    this.rootTid = to;
    const rename = (ev: NewEvent) => {
      if (ev.pid === from) ev.pid = to;
      if (ev.tid === from) ev.tid = to;
      if (ev.kind === 'start' && !ev.isRoot && ev.parentPid === from) ev.parentPid = to;
      if (ev.kind === 'exec' && ev.oldPid === from) ev.oldPid = to;
    };
    for (const ev of this.provisional ?? []) rename(ev);
    if (this.held) rename(this.held);
    for (const ev of this.heldAfter) rename(ev);
    this.endProvisional();
  }

  /** Hands on the held event (its stack and dumped data complete) and what came after it. */
  private release(): void {
    const ev = this.held!;
    this.held = undefined;
    if (this.dump) {
      this.dump.finish();
      this.dump = undefined;
    }
    this.stats.events++;
    this.deliver(ev);
    if (this.heldAfter.length === 0) return;
    const after = this.heldAfter.splice(0);
    for (const e of after) this.emit(e);
  }

  /**
   * A line of a hex dump (strace -e read=, -e write=): the whole data of the held call's buffer (or,
   * after ` * N bytes in buffer K`, of its iovec K), which replaces the prefix its string argument gave.
   */
  private dumpLine(text: string, lineNo: number, source: string, pid: number | undefined): void {
    const held = this.held;
    const isHead = text.startsWith(DUMP_BUFFER);
    const head = isHead ? dumpBufferHead(text) : undefined;
    const element = head ? head.element : (this.dump?.target.element ?? -1);
    let reason: string | undefined;
    if (!held || held.kind !== 'call') reason = 'hex dump (strace -e read=, -e write=) without a call before it';
    else if (isHead && !head) reason = 'not a " * N bytes in buffer K" line';
    else {
      if (head || !this.dump) {
        this.dump?.finish();
        this.dump = undefined;
        const target = held.buffers.find((b) => b.element === element);
        if (target) this.dump = new DumpCollector(target, head ? head.size : typeof held.retval === 'number' ? held.retval : -1);
        else reason = `hex dump of a buffer the call has no data for (${held.name}${element >= 0 ? `, iovec ${element}` : ''})`;
      }
      if (!reason && !head) reason = this.dump!.line(text);
    }
    if (reason) this.unparsed(text, lineNo, source, reason, pid);
  }

  /**
   * A ` > frame` line of strace -k: one more frame of the stack of the held event: the call on the
   * line before, the signal that interrupted the thread, or the exit (exit_group's stack).
   */
  private stackFrame(text: string, lineNo: number, source: string, pid: number | undefined): void {
    const held = this.held;
    if (!held) {
      this.unparsed(text, lineNo, source, 'stack frame (strace -k) without a call, signal or exit before it', pid);
      return;
    }
    (held.stack ??= []).push(text.slice(STACK_FRAME.length));
  }

  private unparsed(text: string, line: number, source: string, reason: string, pid?: number): void {
    this.stats.unparsed++;
    if (this.stats.samples.length < 10) this.stats.samples.push(`${source}:${line}: ${reason}`);
    this.emitUnparsed(text, line, source, reason, pid);
  }

  private emitUnparsed(text: string, line: number, source: string, reason: string, pid?: number): void {
    const m = pid === undefined ? PID_PREFIX.exec(text) : null;
    const named = m ? Number(m[1] ?? m[2]) : pid;
    const tid = named !== undefined ? (this.alias.get(named) ?? named) : (this.rootTid ?? 0);
    this.emit({ kind: 'unparsed', pid: this.tgid.get(tid) ?? tid, tid, source, line, text, reason });
  }

  private timeOf(t: LineTime | undefined): number | undefined {
    if (!t) return undefined;
    if (t.style === 'rel') {
      this.relNs += t.sec * 1e9 + t.ns;
      return this.relNs;
    }
    if (!this.hasBase) {
      this.hasBase = true;
      this.baseSec = t.sec;
      this.baseNs = t.ns;
    }
    if (t.style !== 'tod') return (t.sec - this.baseSec) * 1e9 + (t.ns - this.baseNs);
    let rel = (t.sec + this.todDays * DAY_S - this.baseSec) * 1e9 + (t.ns - this.baseNs);
    if (rel < this.lastTodNs - (DAY_S / 2) * 1e9) {
      this.todDays++;
      rel += DAY_S * 1e9;
    }
    this.lastTodNs = rel;
    return rel;
  }

  private tidOf(rec: LineRecord, pid: number | undefined): number {
    if (rec.pid !== undefined) return this.alias.get(rec.pid) ?? rec.pid;
    if (pid !== undefined) return pid;
    if (this.live.size === 1) for (const t of this.live) return t;
    return this.rootTid ?? 0;
  }

  /**
   * Acts on one parsed line. `text`, the line itself when it came whole from line() (or joined there),
   * lets a resumed call whose rest ends too early wait for the lines a terminal wrapped it onto.
   */
  private handle(rec: LineRecord, lineNo: number, source: string, pidHint?: number, text?: string): void {
    const body: LineBody = rec.body;
    if (body.t === 'message') return;
    let tid = this.tidOf(rec, pidHint);
    const timeNs = this.timeOf(rec.time);
    this.see(tid, timeNs, body);
    tid = this.alias.get(tid) ?? tid;
    const pid = this.tgid.get(tid) ?? tid;
    switch (body.t) {
      case 'call':
        this.call(tid, pid, body.info, body.args, body.result, timeNs, 0);
        return;
      case 'unfinished':
        if (this.pending.has(tid)) this.flushPending(tid);
        this.pending.set(tid, { name: body.name, argsText: body.argsText, timeNs, line: lineNo, source });
        return;
      case 'resumed': {
        const p = this.pending.get(tid);
        if (p && p.name === body.name) {
          this.pending.delete(tid);
          try {
            const { args, result } = parseJoined(p.name, p.argsText, body.restText);
            this.call(tid, pid, callInfo(p.name), args, result, p.timeNs, 0);
            if (this.mayRejoin(result))
              this.heldLine = {
                ev: this.held!,
                reparse: (tail) => {
                  try {
                    return { info: callInfo(p.name), ...parseJoined(p.name, p.argsText, body.restText + tail) };
                  } catch (err) {
                    if (err instanceof StraceSyntaxError) return undefined;
                    throw err;
                  }
                },
              };
          } catch (err) {
            if (!(err instanceof StraceSyntaxError)) throw err;
            if (this.waitForRest(err, text, lineNo, source, pidHint)) {
              this.pending.set(tid, p);
              return;
            }
            this.unparsed(`${p.name}(${p.argsText}<... ${body.name} resumed>${body.restText}`, p.line, p.source, `resumed call: ${err.message}`, tid);
          }
          return;
        }
        try {
          const { args, result } = parseJoined(body.name, /^\s*[),]/.test(body.restText) ? '...' : '..., ', body.restText);
          this.call(tid, pid, callInfo(body.name), args, result, timeNs, 0);
        } catch (err) {
          if (!(err instanceof StraceSyntaxError)) throw err;
          if (this.waitForRest(err, text, lineNo, source, pidHint)) return;
          this.unparsed(`<... ${body.name} resumed>${body.restText}`, lineNo, source, `resumed call without its start: ${err.message}`, tid);
        }
        return;
      }
      case 'signal': {
        const signo = signalNumber(body.name) ?? 0;
        if (body.note) body.info = { k: 'comment', v: body.note };
        this.emit(body.info ? { kind: 'signal', pid, tid, timeNs, signo, name: body.name, info: body.info } : { kind: 'signal', pid, tid, timeNs, signo, name: body.name });
        return;
      }
      case 'exited':
      case 'killed':
        if (this.pending.has(tid)) this.flushPending(tid);
        this.emit({
          kind: 'exit',
          pid,
          tid,
          timeNs,
          status: body.t === 'exited' ? body.status : 0,
          signal: body.t === 'killed' ? (signalNumber(body.signal) ?? Number(body.signal)) || 0 : 0,
          coreDumped: body.t === 'killed' && body.core,
          threadOnly: pid !== tid,
        });
        this.live.delete(tid);
        return;
      case 'superseded': {
        const by = this.alias.get(body.byPid) ?? body.byPid;
        if (this.pending.has(tid)) this.flushPending(tid);
        const exec = this.pending.get(by);
        if (exec && by !== tid) {
          this.pending.delete(by);
          this.pending.set(tid, exec);
        }
        this.emit({ kind: 'exit', pid, tid: by, timeNs, status: 0, signal: 0, coreDumped: false, threadOnly: true });
        this.live.delete(by);
        return;
      }
    }
  }

  private see(tid: number, timeNs: number | undefined, body?: LineBody): void {
    if (this.tgid.has(tid)) return;
    this.live.add(tid);
    if (this.rootTid === undefined) {
      this.rootTid = tid;
      this.rootUnnamed = tid === 0;
      if (this.rootUnnamed && this.opts.nameRoot !== false) this.provisional = [];
      this.tgid.set(tid, tid);
      this.emit({ kind: 'start', pid: tid, tid, timeNs, parentPid: 0, isThread: false, cloneFlags: 0, isRoot: true });
      return;
    }
    const rootResumes = body?.t === 'resumed' && this.pending.get(this.rootTid)?.name === body.name;
    let info = rootResumes ? undefined : this.children.get(tid);
    if (!info && !rootResumes) info = this.guessParent();
    if (!info && this.rootUnnamed) {
      // The root, printed without a pid until it had company (strace -f to stderr), is named.
      this.rootUnnamed = false;
      if (this.provisional) this.renameRoot(tid);
      else {
        this.alias.set(tid, this.rootTid);
        this.live.delete(tid);
      }
      return;
    }
    const parentPid = info ? (this.tgid.get(info.parentTid) ?? info.parentTid) : 0;
    const cloneFlags = info?.flags ?? 0;
    const isThread = isThreadFlags(cloneFlags);
    const pid = isThread ? parentPid : tid;
    this.tgid.set(tid, pid);
    this.children.delete(tid);
    this.emit({ kind: 'start', pid, tid, timeNs, parentPid, isThread, cloneFlags, isRoot: false });
  }

  private guessParent(): ChildInfo | undefined {
    let found: [number, Pending] | undefined;
    for (const [tid, p] of this.pending) if (callInfo(p.name).clone) found = [tid, p];
    if (!found) return undefined;
    const [tid, p] = found;
    let flags: number;
    try {
      flags = cloneFlagsOf(p.name, parseJoined(p.name, p.argsText, /,\s*$/.test(p.argsText) ? '...) = ?' : ') = ?').args);
    } catch (err) {
      if (!(err instanceof StraceSyntaxError)) throw err;
      flags = p.argsText.includes('CLONE_THREAD') ? CLONE_FLAG_BITS.CLONE_THREAD : 0;
    }
    return { parentTid: tid, flags };
  }

  private flushPending(tid: number): void {
    const p = this.pending.get(tid);
    if (!p) return;
    this.pending.delete(tid);
    let args: ArgValue[];
    try {
      args = parseJoined(p.name, p.argsText, /,\s*$/.test(p.argsText) ? '...) = ?' : ') = ?').args;
    } catch (err) {
      if (!(err instanceof StraceSyntaxError)) throw err;
      args = [{ k: 'raw', v: p.argsText }];
    }
    this.call(tid, this.tgid.get(tid) ?? tid, callInfo(p.name), args, { retval: 0, unknown: true }, p.timeNs, CallFlags.unfinished);
  }

  /** Emits one call of thread `tid` of process `pid`, and what follows from it (a child's parent, an exec). */
  private call(tid: number, pid: number, info: CallInfo, args: ArgValue[], r: CallResult, timeNs: number | undefined, extraFlags: number): void {
    const name = info.name;
    const ev = buildCall(tid, pid, info, args, r, timeNs, extraFlags);
    const { retval, errno } = ev;
    this.stats.calls++;
    if (r.durationNs !== undefined) this.timedCalls++;
    this.emit(ev);
    if (errno || r.unknown) return;
    if (info.clone && typeof retval === 'number' && retval > 0 && !this.tgid.has(retval)) {
      this.children.set(retval, { parentTid: tid, flags: cloneFlagsOf(name, args) });
    }
    if (info.exec) this.exec(pid, tid, name, args, timeNs);
  }

  private exec(pid: number, tid: number, name: string, args: ArgValue[], timeNs: number | undefined): void {
    const off = name === 'execveat' ? 1 : 0;
    const path = argString(args[off]) ?? '';
    const argv = args[off + 1];
    const env = args[off + 2];
    this.emit({ kind: 'exec', pid, tid, timeNs, path, argv: stringsOf(argv), env: envOf(env), oldPid: tid });
  }
}

/** The call event of one call's parts: errno and flags from the result, the data buffers from the arguments. */
function buildCall(tid: number, pid: number, info: CallInfo, args: ArgValue[], r: CallResult, timeNs: number | undefined, extraFlags: number): Omit<CallEvent, 'seq'> {
  let errno = 0;
  let flags = extraFlags;
  if (r.errnoName) {
    errno = errnoNumber(r.errnoName) ?? errnoFromUnknown(r.errnoName);
    if (INTERRUPTED.has(errno)) flags |= CallFlags.interrupted;
  }
  if (r.unknown && !errno) flags |= CallFlags.retvalUnknown;
  if (info.noReturn) flags |= CallFlags.noReturn;
  const retval = r.unknown && errno ? -1 : r.retval;
  const buffers = extractBuffers(info.data, args, retval, errno !== 0 || r.unknown);
  const ev: Omit<CallEvent, 'seq'> = { kind: 'call', pid, tid, name: info.name, sysno: info.sysno, rawArgs: [], args, retval, errno, flags, buffers };
  if (timeNs !== undefined) ev.timeNs = timeNs;
  if (r.durationNs !== undefined) ev.durationNs = r.durationNs;
  if (r.annotation !== undefined) ev.retAnnotation = r.annotation;
  return ev;
}

function stringsOf(a: ArgValue | undefined): string[] {
  if (!a || a.k !== 'array') return [];
  const out: string[] = [];
  for (const it of a.items) {
    const s = argString(it);
    if (s !== undefined) out.push(s);
  }
  return out;
}

function envOf(a: ArgValue | undefined): EnvVar[] {
  return stringsOf(a).map((kv) => {
    const i = kv.indexOf('=');
    return i < 0 ? { name: kv, value: '' } : { name: kv.slice(0, i), value: kv.slice(i + 1) };
  });
}

function errnoFromUnknown(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** Calls whose output a terminal shows inside their own line, after the count. */
const WRITERS = new Set(['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2', 'send', 'sendto', 'sendmsg', 'sendmmsg']);

/** An fd's -y/-yy annotation just after its number (`</path>`, `<TCP:[...]>`, `<pipe:[...]>`), or its start cut by a wrap. */
const FD_ANNOTATION_START = /^<(\/|[A-Za-z_]+:|[A-Za-z_]*$)/;

/**
 * Where the program's own output begins in a call line that strace and the program printed to one
 * terminal (`write(1, "hi\n", 3hi`): just after an argument (not the first) that is a number with
 * other text right after it, the first such place up to which the call reads as complete. -1 when
 * there is none.
 */
function outputStart(text: string): number {
  if (text.indexOf('(') < 0) return -1;
  // Not the first argument (a count never is), and not the 0 of a 0x... value.
  const re = /, -?\d+(?=[^\d,)])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index + m[0].length;
    if (m[0].endsWith(' 0') && (text[at] === 'x' || text[at] === 'X')) continue;
    // Nor ` <unfinished ...>` cut by a wrap (`-1, 0 <unf`).
    if (text.length - at < UNFINISHED.length && UNFINISHED.startsWith(text.slice(at))) continue;
    const r = tryParseLine(`${text.slice(0, at)}) = 0`);
    if (r?.body.t !== 'call') continue;
    // Nor, but in a call that writes (`write(1, "</div>\n", 7</div>`), an fd's -y annotation
    // (`3</usr/lib/...>`, `3<TCP:[...]>`) or the start of one cut by a wrap.
    if (text.charCodeAt(at) === 60 && !WRITERS.has(r.body.name) && FD_ANNOTATION_START.test(text.slice(at, at + 24))) continue;
    return at;
  }
  return -1;
}

/**
 * How many trailing digits of the call's last argument belong to the program's output instead: when
 * the call returned R and the argument reads as R followed by more digits (the output began with
 * digits). 0 otherwise.
 */
function countOverrun(head: string, rec: LineRecord): number {
  if (rec.body.t !== 'call' || rec.body.result.errnoName || typeof rec.body.result.retval !== 'number') return 0;
  const digits = /\d+$/.exec(head)?.[0] ?? '';
  const r = String(rec.body.result.retval);
  return rec.body.result.retval >= 0 && digits.length > r.length && digits.startsWith(r) ? digits.length - r.length : 0;
}

/**
 * Whether `text`, though it looks like the start of a line, is the rest of `head`, a line wrapped just
 * after its pid or time stamp (`4979  1795887302.457242783 `, then `newfstatat(3</usr...`). A pid
 * alone must have kept its space: digits alone may be the end of a number.
 */
function restOfPrefix(head: string, text: string): boolean {
  return PREFIX_ONLY.test(head) && !/^(\[pid |\d| +\d)/.test(text);
}

/** A line that begins with a pid or a time stamp, then more of a line of strace's. */
const PREFIXED_START = /^(\[pid +\d+(<[^>]*>)?\] |\d+(<[^>]*>)? +(\d|<\.\.\. |--- |\+\+\+ |[a-z_][a-z0-9_]*\()| *\d+(:\d\d:\d\d)?\.\d+ |\d+:\d\d:\d\d )/;

/** A line that is only a pid (with its space) and a time stamp, or a time stamp: one wrapped just after them. */
const PREFIX_ONLY = /^((\[pid +\d+(<[^>]*>)?\] *|\d+(<[^>]*>)? +)( *\d+(:\d\d:\d\d)?(\.\d+)? *)?| *\d+(:\d\d:\d\d(\.\d+)?|\.\d+) *)$/;

/** A call whose line read as whole, and how to read it again with more text after it (rejoinHeld). */
interface HeldLine {
  ev: StackHolder;
  reparse: (tail: string) => { info: CallInfo; args: ArgValue[]; result: CallResult } | undefined;
}

/** Reads a call line `text` again with a tail after it: the same call, or undefined. */
function reparseCall(text: string): HeldLine['reparse'] {
  return (tail) => {
    const b = tryParseLine(text)?.body;
    const again = tryParseLine(text + tail)?.body;
    return again?.t === 'call' && b?.t === 'call' && again.name === b.name ? again : undefined;
  };
}

/**
 * Whether `text` is the start of a line of strace's own: a pid or a time stamp and what follows them
 * (PREFIXED_START), or a call, `<... resumed>`, signal, exit or stack frame. Not the rest of a
 * wrapped line that begins with digits: `1.8.10>, "\177ELF...` (a path's version), `0 <0.000055>` (a
 * result and its duration).
 */
export function looksLikeRecordStart(text: string): boolean {
  return PREFIXED_START.test(text) || BARE_START.test(text);
}

const BARE_START = /^(<\.\.\. |--- |\+\+\+ |[a-z_][a-z0-9_]*\(| > )/;
