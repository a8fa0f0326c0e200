import type { Command } from 'commander';
import { importLogs, IMPORT_FORMATS } from '../../import/index.js';
import { UsageError } from '../../util/errors.js';
import { refuseInputOverwrite } from '../../util/outfile.js';
import { parseOption, zOneOf } from '../options.js';
import { startProgress } from '../progress.js';
import { VERSION } from '../version.js';

interface ImportCliOptions {
  format: string;
  output?: string;
  strict?: boolean;
  quiet?: boolean;
}

/** `picotrace import [--format F] LOG... -o FILE [--strict]`: text logs (strace, ...) into a trace. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('turn text logs (strace output, strace -ff per-process files, ...) into a trace')
    .argument('<logs...>', 'log files; - reads stdin; strace -ff files (name.PID) go together')
    .option('-f, --format <format>', `log format: ${[...IMPORT_FORMATS.keys()].join(', ')} or auto`, 'auto')
    .option('-o, --output <file>', 'trace file to write (.ptrace)')
    .option('--strict', 'fail at the first line that does not parse instead of keeping it as unparsed')
    .option('-q, --quiet', 'no progress on stderr')
    .action((logs: string[], o: ImportCliOptions) => {
      const formats = ['auto', ...IMPORT_FORMATS.keys()] as [string, ...string[]];
      const format = parseOption(zOneOf(formats), o.format, '--format');
      if (!o.output) throw new UsageError('import: -o FILE is required');
      refuseInputOverwrite(o.output, logs.filter((l) => l !== '-'));
      const progress = startProgress({ label: 'import', quiet: o.quiet, unit: 'lines' });
      let r: ReturnType<typeof importLogs>;
      try {
        r = importLogs({ inputs: logs, output: o.output, format, strict: o.strict, writer: VERSION, onProgress: (n) => progress.update(n) });
      } finally {
        progress.finish();
      }
      const s = r.stats;
      process.stderr.write(`picotrace: imported ${s.lines} lines (${r.format}) into ${r.events} events in ${o.output}; ${s.unparsed} unparsed\n`);
      if (s.output) process.stderr.write(`picotrace:   ${s.output} piece(s) of the program's own output, printed inside call lines, are kept apart as unparsed events\n`);
      if (r.notes.includes('straceSummary')) process.stderr.write(`picotrace:   strace's summary table is kept with the trace (picotrace info ${o.output})\n`);
      for (const sample of s.samples) process.stderr.write(`picotrace:   unparsed ${sample}\n`);
      if (s.unparsed > s.samples.length) process.stderr.write(`picotrace:   ... and ${s.unparsed - s.samples.length} more unparsed lines\n`);
    });
}
