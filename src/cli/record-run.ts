import { BACKENDS } from '../capture/index.js';
import { DigestAnnotator } from '../compare/annotate.js';
import type { EarlyRecord } from './early.js';
import { VERSION } from './version.js';

/** A `record` command line, read and checked (by commander, or by parseEarlyRecord for its plain forms, which are native). */
export interface RecordRun extends EarlyRecord {
  backend: string;
  source?: string;
  bundle?: string;
}

/**
 * Records as `record` does once its options are read: reports warnings and the summary line on
 * stderr and returns the program's exit status. Loads neither commander nor zod, so that a plain
 * `record` command line (cli/main.ts) skips them: some 25 ms of a short recording's start-up.
 */
export async function runRecord(o: RecordRun): Promise<number> {
  // Scrubbing is loaded only when asked for: a recording starts its program sooner without it.
  const scrub = o.scrub ? await import('../scrub/index.js') : undefined;
  const scrubber = scrub?.createScrubber({ buffers: true, env: true, paths: [] });
  const r = await BACKENDS[o.backend]({
    argv: o.argv,
    output: o.output,
    bufferSize: o.bufferSize,
    env: o.env,
    stack: o.stack,
    cpu: o.cpu,
    source: o.source,
    bundle: o.bundle,
    writer: VERSION,
    transform: scrubber,
    annotator: new DigestAnnotator('strict'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (scrub && scrubber && !(await isScrubbed(o.output, scrub.scrubbedTokens(scrubber.options)))) await (await import('./scrubfile.js')).scrubInPlace(o.output, scrubber, { quiet: true });
  for (const w of r.warnings) process.stderr.write(`picotrace: warning: ${w}\n`);
  process.stderr.write(`picotrace: recorded ${r.events} events to ${o.output} (exit status ${r.exitCode})\n`);
  return r.exitCode;
}

async function isScrubbed(file: string, tokens: string[]): Promise<boolean> {
  const { TraceReader } = await import('../format/reader.js');
  const r = TraceReader.open(file);
  try {
    return tokens.every((t) => r.header.scrubbed.includes(t));
  } finally {
    r.close();
  }
}
