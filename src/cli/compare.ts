import v8 from 'node:v8';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CollectJob, CollectProgress, CollectReply } from './collect-worker.js';
import { startProgress } from './progress.js';
import { collectStreams, diffStreams, divergenceFacts, formatSuppressions, parseSuppressions, SuppressionSet, type DiffResult, type ProfileName, type TraceStreams } from '../compare/index.js';
import { TraceReader, describeDamage } from '../format/index.js';
import { diffToJson, jsonReplacer, renderDiffMarkdown, renderDiffText, type DiffView } from '../render/index.js';
import { BadInputError, ExitCode, fileError } from '../util/errors.js';
import { refuseInputOverwrite, writeFileSafely } from '../util/outfile.js';

/** Output formats of diff, check and demo. */
export const DIFF_FORMATS = ['text', 'markdown', 'json'] as const;

/** Options shared by the commands that diff two traces. */
export interface DiffRunOptions {
  profile: ProfileName;
  format: (typeof DIFF_FORMATS)[number];
  context: number;
  all: boolean;
  suppressions?: string;
  writeSuppressions?: string;
  only?: ReadonlySet<string>;
  color: boolean;
  /** No progress line even on a terminal. */
  quiet?: boolean;
}

/**
 * Writes text to stdout synchronously, waiting out EAGAIN: a sandbox that shared our stdout may leave the
 * pipe non-blocking, and a report must not be lost to that.
 */
export function writeOut(text: string): void {
  const buf = Buffer.from(text, 'utf8');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off, buf.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

const MAX_SUPPRESSIONS_BYTES = 4 << 20;

/** Reads and validates a suppressions file (size checked before reading). Throws BadInputError naming file:line. */
export function loadSuppressions(file: string): SuppressionSet {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('dir'), { code: 'EISDIR' });
    if (st.size > MAX_SUPPRESSIONS_BYTES) throw new BadInputError(`suppressions file is ${st.size} bytes, more than the ${MAX_SUPPRESSIONS_BYTES} allowed`, file);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    fileError(err, file);
  }
  return new SuppressionSet(parseSuppressions(text, file));
}

function streamsOf(reader: TraceReader, profile: ProfileName, onCorrupt: (msg: string) => void): TraceStreams {
  return collectStreams(reader.stream({ onCorrupt: (e) => onCorrupt(`${e.message} (chunk skipped)`) }), profile);
}

/** Traces below this many events are normalized in this thread; larger ones in a worker each, both at once. */
const WORKER_MIN_EVENTS = 200_000;

function collectInWorker(file: string, profile: ProfileName, onProgress: (events: number) => void): Promise<CollectReply> {
  // The CLI's 4 MB young generation (bin/picotrace.js) keeps long streaming reads small, but a
  // normalizing worker does less collecting with 16 MB (about 5% less diff time). A worker's
  // resourceLimits cannot raise it (the flag wins); the flag itself, set before the worker's heap
  // exists, does.
  v8.setFlagsFromString('--max-semi-space-size=16');
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./collect-worker.js', import.meta.url), { workerData: { file, profile } satisfies CollectJob });
    let done = false;
    w.on('message', (m: CollectReply | CollectProgress) => {
      if ('progress' in m) {
        onProgress(m.progress);
        return;
      }
      done = true;
      resolve(m);
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (!done) reject(new Error(`normalizing ${file} stopped (worker exit ${code})`));
    });
  });
}

/** Normalizes both traces, in two workers at once when they are large. Damaged chunks are warned about and skipped. */
export async function collectBoth(ra: TraceReader, rb: TraceReader, profile: ProfileName, warn: (msg: string) => void, quiet = true): Promise<[TraceStreams, TraceStreams]> {
  if (ra.eventCount + rb.eventCount < WORKER_MIN_EVENTS) return [streamsOf(ra, profile, warn), streamsOf(rb, profile, warn)];
  const progress = startProgress({ label: 'diff', total: ra.eventCount + rb.eventCount, quiet });
  const done = [0, 0];
  try {
    const [x, y] = await Promise.all(
      [ra, rb].map((r, i) =>
        collectInWorker(r.file, profile, (n) => {
          done[i] = n;
          progress.update(done[0] + done[1]);
        }),
      ),
    );
    for (const m of [...x.warnings, ...y.warnings]) warn(m);
    return [x.streams, y.streams];
  } finally {
    progress.finish();
  }
}

/** An open diff of two files for interactive use: the result, event lookups, and close(). */
export async function openDiff(fileA: string, fileB: string, profile: ProfileName, suppressions?: string): Promise<{ result: DiffResult; view: DiffView; close: () => void }> {
  const supp = suppressions ? loadSuppressions(suppressions) : undefined;
  const ra = TraceReader.open(fileA);
  let rb: TraceReader | undefined;
  try {
    rb = TraceReader.open(fileB);
    const warn = (m: string) => process.stderr.write(`picotrace: ${m}\n`);
    const [sa, sb] = await collectBoth(ra, rb, profile, warn);
    const result = diffStreams(sa, sb, { suppressions: supp });
    const b = rb;
    const view: DiffView = { fileA, fileB, headerA: ra.header, headerB: b.header, eventA: (s) => ra.event(s), eventB: (s) => b.event(s), context: 3, all: true };
    return {
      result,
      view,
      close: () => {
        ra.close();
        b.close();
      },
    };
  } catch (err) {
    ra.close();
    rb?.close();
    throw err;
  }
}

/** Diffs two trace files and writes the report; returns the exit code (0 equal, 1 different, 3 when a trace was damaged). */
export async function diffFiles(fileA: string, fileB: string, o: DiffRunOptions): Promise<{ code: number; result: DiffResult }> {
  const supp = o.suppressions ? loadSuppressions(o.suppressions) : undefined;
  const outputInputs = [fileA, fileB, ...(o.suppressions ? [o.suppressions] : [])];
  if (o.writeSuppressions) refuseInputOverwrite(o.writeSuppressions, outputInputs);
  const ra = TraceReader.open(fileA);
  let rb: TraceReader | undefined;
  try {
    rb = TraceReader.open(fileB);
    let damaged = false;
    const warn = (m: string) => {
      damaged = true;
      process.stderr.write(`picotrace: ${m}\n`);
    };
    for (const [r, f] of [[ra, fileA], [rb, fileB]] as const) if (r.integrity.damage) warn(`${describeDamage(f, r.integrity.damage)}; comparing what is readable`);
    const [sa, sb] = await collectBoth(ra, rb, o.profile, warn, o.quiet);
    const result = diffStreams(sa, sb, { suppressions: supp, only: o.only });
    const view: DiffView = {
      fileA,
      fileB,
      headerA: ra.header,
      headerB: rb.header,
      eventA: (s) => ra.event(s),
      eventB: (s) => rb!.event(s),
      context: o.context,
      all: o.all,
    };
    if (o.format === 'json') writeOut(`${JSON.stringify(diffToJson(result, view), jsonReplacer, 2)}\n`);
    else if (o.format === 'markdown') writeOut(renderDiffMarkdown(result, view));
    else writeOut(renderDiffText(result, view, o.color));
    if (o.writeSuppressions) {
      const text = formatSuppressions(
        result.divergences.map((d) => divergenceFacts(d, result.pairs[d.pair])),
        [`written from: picotrace diff ${fileA} ${fileB} (profile ${o.profile})`],
      );
      writeFileSafely(o.writeSuppressions, text, { inputs: outputInputs });
      process.stderr.write(`picotrace: wrote ${result.divergences.length} divergences as rules to ${o.writeSuppressions}\n`);
    }
    const code = damaged ? ExitCode.corrupt : result.equal ? ExitCode.ok : ExitCode.differences;
    return { code, result };
  } finally {
    ra.close();
    rb?.close();
  }
}

/** True when color should be used on stdout: a terminal, and NO_COLOR unset. */
export function wantColor(): boolean {
  return !!process.stdout.isTTY && !process.env.NO_COLOR;
}
