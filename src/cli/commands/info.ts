import type { Command } from 'commander';
import { TraceReader, describeDamage } from '../../format/index.js';
import { summarize, type TraceSummary } from '../../render/summary.js';
import { renderInfoText } from '../../render/info.js';
import { CorruptTraceError, ExitCode } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { jsonReplacer } from '../../render/json.js';

/** `picotrace info FILE [--json]`: header, counts, processes, time span, chunks and integrity. */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show what a trace holds: header, counts per call and errno, processes, time span, chunks, integrity')
    .argument('<file>', 'trace file (.ptrace)')
    .option('--json', 'print one JSON object instead of text')
    .action((file: string, opts: { json?: boolean }) => {
      const reader = TraceReader.open(file);
      try {
        const bad: CorruptTraceError[] = [];
        const summary: TraceSummary = summarize(reader, (e) => bad.push(e));
        if (opts.json) process.stdout.write(`${JSON.stringify(summary, jsonReplacer, 2)}\n`);
        else process.stdout.write(renderInfoText(summary));
        if (bad.length || reader.integrity.damage) {
          const first = bad[0];
          const dmg = reader.integrity.damage;
          if (first) process.stderr.write(`picotrace: ${first.message}${bad.length > 1 ? ` (and ${bad.length - 1} more damaged chunks)` : ''}\n`);
          else if (dmg) process.stderr.write(`picotrace: ${describeDamage(file, dmg)}\n`);
          setExitCode(ExitCode.corrupt);
        }
      } finally {
        reader.close();
      }
    });
}

