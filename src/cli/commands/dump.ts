import type { Command } from 'commander';
import { z } from 'zod/v3';
import { TraceReader, type EventFilter, describeDamage } from '../../format/index.js';
import { eventJsonLine, formatEventLine, formatStackLines } from '../../render/index.js';
import { ExitCode } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount, zIntList, zNameList } from '../options.js';
import { writeLines } from '../output.js';

interface DumpOptions {
  from?: string;
  count?: string;
  pid?: string;
  tid?: string;
  call?: string;
  failed?: boolean;
  json?: boolean;
  durations?: boolean;
  stringLimit?: string;
  /** False with --no-stack. */
  stack?: boolean;
}

/** `picotrace dump FILE`: events as strace-like lines or JSON lines, with a range and filters. */
export function registerDump(program: Command): void {
  program
    .command('dump')
    .description('print events as strace-like lines (or JSON lines), optionally a range and filtered')
    .argument('<file>', 'trace file (.ptrace)')
    .option('--from <n>', 'first event number to consider', '0')
    .option('--count <n>', 'print at most this many events')
    .option('--pid <list>', 'only these processes (comma-separated pids)')
    .option('--tid <list>', 'only these threads (comma-separated tids)')
    .option('--call <names>', 'only calls with these names (comma-separated)')
    .option('--failed', 'only calls that failed (errno set)')
    .option('-T, --durations', 'print each call\'s duration as strace -T does')
    .option('-s, --string-limit <n>', 'print at most this many bytes of each string', '64')
    .option('--json', 'one JSON object per line')
    .option('--no-stack', 'leave out the user-space stacks of calls, signals and exits (strace -k frames)')
    .action(async (file: string, o: DumpOptions) => {
      const from = parseOption(zCount, o.from, '--from');
      const count = o.count === undefined ? Infinity : parseOption(zCount, o.count, '--count');
      const limit = parseOption(zCount.pipe(z.number().min(1, 'must be at least 1')), o.stringLimit, '--string-limit');
      const filter: EventFilter = {};
      if (o.pid) filter.pids = new Set(parseOption(zIntList, o.pid, '--pid'));
      if (o.tid) filter.tids = new Set(parseOption(zIntList, o.tid, '--tid'));
      if (o.call) filter.names = new Set(parseOption(zNameList, o.call, '--call'));
      if (o.failed) filter.failed = true;
      const reader = TraceReader.open(file);
      let corrupt = false;
      try {
        const start = reader.header.startTimeNs;
        let n = 0;
        const lines = (function* () {
          for (const ev of reader.stream({
            from,
            filter,
            onCorrupt: (e) => {
              corrupt = true;
              process.stderr.write(`picotrace: ${e.message} (chunk skipped)\n`);
            },
          })) {
            if (n++ >= count) return;
            if (o.json) {
              yield eventJsonLine(ev);
              continue;
            }
            yield formatEventLine(ev, { startTimeNs: start, duration: o.durations, stringLimit: limit });
            // A stack (strace -k) as strace prints it, after the event.
            if (o.stack !== false) yield* formatStackLines(ev);
          }
        })();
        await writeLines(lines);
        const dmg = reader.integrity.damage;
        if (dmg && n < count) {
          process.stderr.write(`picotrace: ${describeDamage(file, dmg)}\n`);
          corrupt = true;
        }
      } finally {
        reader.close();
      }
      if (corrupt) setExitCode(ExitCode.corrupt);
    });
}
