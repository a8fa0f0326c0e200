import fs from 'node:fs';
import type { Command } from 'commander';
import { DigestAnnotator, PROFILE_NAMES, digestProfileName, type ProfileName } from '../../compare/index.js';
import { TraceReader, TraceWriter, type ChunkAnnotator } from '../../format/index.js';
import { createScrubber, HOME_RULES, parsePathRule, type PathRule, type Scrubber, type ScrubOptions } from '../../scrub/index.js';
import { ExitCode, UsageError } from '../../util/errors.js';
import { onInterrupt } from '../../util/interrupt.js';
import { refuseInputOverwrite, tempSibling } from '../../util/outfile.js';
import { setExitCode } from '../main.js';
import { collect } from '../options.js';
import { startProgress, withProgress } from '../progress.js';

interface ScrubCliOptions {
  output: string;
  keepBuffers?: boolean;
  keepEnv?: boolean;
  redactPath?: string[];
  mapHome?: boolean;
  quiet?: boolean;
}

/** Turns scrub's command-line options into ScrubOptions; throws UsageError for a bad glob or when nothing would be removed. */
export function scrubOptionsFrom(o: Omit<ScrubCliOptions, 'output' | 'quiet'>): ScrubOptions {
  const paths: PathRule[] = [];
  for (const spec of o.redactPath ?? []) {
    const r = parsePathRule(spec);
    if (!r) throw new UsageError(`--redact-path: expected an absolute path glob such as /home/* or /srv/data=DATA (got ${JSON.stringify(spec)})`);
    paths.push(r);
  }
  if (o.mapHome) paths.push(...HOME_RULES);
  const opts: ScrubOptions = { buffers: !o.keepBuffers, env: !o.keepEnv, paths, homeFromEnv: o.mapHome === true };
  if (!opts.buffers && !opts.env && paths.length === 0) throw new UsageError('nothing to scrub: --keep-buffers and --keep-env given without --redact-path or --map-home');
  return opts;
}

function annotatorFor(profile: string): ChunkAnnotator | undefined {
  const name = PROFILE_NAMES.find((p) => digestProfileName(p) === profile);
  return name ? new DigestAnnotator(name as ProfileName) : undefined;
}

/**
 * Writes a scrubbed copy of `input` to `output` (through a temporary name; removed on error or Ctrl-C),
 * keeping the footer's facts and recomputing bisect digests with the input's profile. Returns whether
 * damaged parts of the input were skipped (reported on stderr).
 */
export async function scrubTraceFile(input: string, output: string, scrubber: Scrubber, opts: { quiet?: boolean } = {}): Promise<{ damaged: boolean }> {
  const reader = TraceReader.open(input);
  let damaged = false;
  const progress = startProgress({ label: 'scrub', total: reader.eventCount, quiet: opts.quiet });
  let writer: TraceWriter | undefined;
  const release = onInterrupt(() => writer?.abort());
  try {
    writer = TraceWriter.create(output, scrubber.header(reader.header), { atomic: true, annotator: annotatorFor(reader.footerInfo.digestProfile) });
    const events = reader.events({
      onCorrupt: (e) => {
        damaged = true;
        process.stderr.write(`picotrace: ${e.message} (chunk skipped)\n`);
      },
    });
    for await (const ev of withProgress(events, progress)) writer.append(scrubber.event(ev));
    const dmg = reader.integrity.damage;
    if (dmg) {
      damaged = true;
      process.stderr.write(`picotrace: ${input}: ${dmg.what} at offset ${dmg.offset} (scrubbed what was readable)\n`);
    }
    const f = reader.footerInfo;
    const endNotes: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.endNotes)) endNotes[k] = scrubber.text(v);
    writer.close({ droppedEvents: f.droppedEvents, unknownMessages: f.unknownMessages, endNotes, endTimeNs: f.endTimeNs });
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    release();
    progress.finish();
    reader.close();
  }
  return { damaged };
}

/** Scrubs `file` in place: a scrubbed copy replaces it once complete. */
export async function scrubInPlace(file: string, scrubber: Scrubber, opts: { quiet?: boolean } = {}): Promise<void> {
  const tmp = tempSibling(file);
  try {
    await scrubTraceFile(file, tmp, scrubber, opts);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** `picotrace scrub IN -o OUT`: a copy safe to share, without buffer contents, environment values or chosen path prefixes. */
export function registerScrub(program: Command): void {
  program
    .command('scrub')
    .description('write a copy of a trace without buffer contents (length and digest kept), environment values (names kept) and chosen path prefixes')
    .argument('<in>', 'trace file to scrub (.ptrace)')
    .requiredOption('-o, --output <file>', 'scrubbed trace to write (never the input)')
    .option('--keep-buffers', 'keep buffer contents')
    .option('--keep-env', 'keep environment values')
    .option('--redact-path <glob>', 'rewrite path prefixes matching GLOB (or GLOB=REPLACEMENT) to <redacted>; repeatable', collect)
    .option('--map-home', 'rewrite home directories (/home/NAME, /root and the recorded HOME) to ~')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (input: string, o: ScrubCliOptions) => {
      const scrubber = createScrubber(scrubOptionsFrom(o));
      refuseInputOverwrite(o.output, [input]);
      const { damaged } = await scrubTraceFile(input, o.output, scrubber, { quiet: o.quiet });
      if (damaged) setExitCode(ExitCode.corrupt);
    });
}
