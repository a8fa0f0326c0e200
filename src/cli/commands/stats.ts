import type { Command } from 'commander';
import { z } from 'zod/v3';
import { TraceReader, describeDamage } from '../../format/index.js';
import { jsonReplacer } from '../../render/index.js';
import { renderStatsText, STATS_BY, StatsCollector } from '../../stats/index.js';
import { ExitCode } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount, zOneOf } from '../options.js';
import { startProgress, withProgress } from '../progress.js';

interface StatsCliOptions {
  by: string;
  top?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `picotrace stats FILE`: strace -c style counts, errors and time per call, process, errno or path. */
export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('summarize calls as strace -c does: count, errors, total and mean time, by call, process, errno or path')
    .argument('<file>', 'trace file (.ptrace)')
    .option('--by <what>', `group by ${STATS_BY.join(', ')}`, 'call')
    .option('--top <n>', 'show only the first N rows')
    .option('--json', 'print one JSON object instead of a table')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (file: string, o: StatsCliOptions) => {
      const by = parseOption(zOneOf(STATS_BY), o.by, '--by');
      const top = o.top === undefined ? undefined : parseOption(zCount.pipe(z.number().min(1, 'must be at least 1')), o.top, '--top');
      const reader = TraceReader.open(file);
      const collector = new StatsCollector({ by, top });
      const progress = startProgress({ label: 'stats', total: reader.eventCount, quiet: o.quiet });
      let corrupt = false;
      try {
        const events = reader.stream({
          onCorrupt: (e) => {
            corrupt = true;
            process.stderr.write(`picotrace: ${e.message} (chunk skipped)\n`);
          },
        });
        for await (const ev of withProgress(events, progress)) collector.add(ev);
      } finally {
        progress.finish();
        reader.close();
      }
      const dmg = reader.integrity.damage;
      if (dmg) {
        corrupt = true;
        process.stderr.write(`picotrace: ${describeDamage(file, dmg)} (counted what was readable)\n`);
      }
      const stats = collector.result();
      process.stdout.write(o.json ? `${JSON.stringify(stats, jsonReplacer, 2)}\n` : renderStatsText(stats));
      if (corrupt) setExitCode(ExitCode.corrupt);
    });
}
