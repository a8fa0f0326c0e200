import { once } from 'node:events';
import type { Command } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../../export/index.js';
import { TraceReader, describeDamage } from '../../format/index.js';
import { ExitCode } from '../../util/errors.js';
import { SafeOutputFile } from '../../util/outfile.js';
import { setExitCode } from '../main.js';
import { parseOption, zOneOf } from '../options.js';
import { startProgress, withProgress } from '../progress.js';

interface ExportCliOptions {
  format: string;
  output: string;
  quiet?: boolean;
}

/** Text gathered before each write to the output. */
const BATCH_CHARS = 1 << 16;

/** Where exported text goes: a safe output file, or stdout for `-o -`. */
interface Sink {
  write(s: string): Promise<void>;
  commit(): Promise<void>;
  abort(): void;
}

function stdoutSink(): Sink {
  return {
    async write(s) {
      if (!process.stdout.write(s)) await once(process.stdout, 'drain');
    },
    commit: async () => undefined,
    abort: () => undefined,
  };
}

const FORMATS = Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]];

/** `picotrace export FILE --format perfetto|strace|jsonl -o OUT`: the trace in a format other tools read. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('convert a trace for other tools: perfetto (Chrome trace-event JSON for ui.perfetto.dev), strace (strace -f -ttt -T text), jsonl')
    .argument('<file>', 'trace file (.ptrace)')
    .requiredOption('--format <format>', FORMATS.join(', '))
    .requiredOption('-o, --output <file>', 'file to write (replaced only once complete), or - for stdout')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, o: ExportCliOptions) => {
      const format = parseOption(zOneOf(FORMATS), o.format, '--format');
      const reader = TraceReader.open(file);
      let out: Sink | undefined;
      const progress = startProgress({ label: 'export', total: reader.eventCount, quiet: o.quiet || (o.output === '-' && process.stdout.isTTY === true) });
      let corrupt = false;
      try {
        out = o.output === '-' ? stdoutSink() : SafeOutputFile.create(o.output, { inputs: [file] });
        const exporter = EXPORT_FORMATS[format]();
        await out.write(exporter.begin(reader.header));
        const events = reader.stream({
          onCorrupt: (e) => {
            corrupt = true;
            process.stderr.write(`picotrace: ${e.message} (chunk skipped)\n`);
          },
        });
        let batch = '';
        for await (const ev of withProgress(events, progress)) {
          batch += exporter.event(ev);
          if (batch.length >= BATCH_CHARS) {
            await out.write(batch);
            batch = '';
          }
        }
        await out.write(batch + exporter.end());
        await out.commit();
      } catch (err) {
        out?.abort();
        throw err;
      } finally {
        progress.finish();
        reader.close();
      }
      const dmg = reader.integrity.damage;
      if (dmg) {
        corrupt = true;
        process.stderr.write(`picotrace: ${describeDamage(file, dmg)} (exported what was readable)\n`);
      }
      if (corrupt) setExitCode(ExitCode.corrupt);
    });
}
