import fs from 'node:fs';
import { DigestAnnotator, PROFILE_NAMES, digestProfileName, type ProfileName } from '../compare/index.js';
import { TraceReader, TraceWriter, type ChunkAnnotator, describeDamage } from '../format/index.js';
import type { Scrubber } from '../scrub/index.js';
import { onInterrupt } from '../util/interrupt.js';
import { tempSibling } from '../util/outfile.js';
import { startProgress, withProgress } from './progress.js';

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
    const events = reader.stream({
      onCorrupt: (e) => {
        damaged = true;
        process.stderr.write(`picotrace: ${e.message} (chunk skipped)\n`);
      },
    });
    for await (const ev of withProgress(events, progress)) writer.append(scrubber.event(ev));
    const dmg = reader.integrity.damage;
    if (dmg) {
      damaged = true;
      process.stderr.write(`picotrace: ${describeDamage(input, dmg)} (scrubbed what was readable)\n`);
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
