import type { Command } from 'commander';
import { z } from 'zod/v3';
import { PROFILE_NAMES, RULES } from '../../compare/index.js';
import { UsageError } from '../../util/errors.js';
import { DIFF_FORMATS, diffFiles, wantColor } from '../compare.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount, zOneOf } from '../options.js';

interface DiffCliOptions {
  context: string;
  format: string;
  suppressions?: string;
  writeSuppressions?: string;
  pid?: string;
  all?: boolean;
  strict?: boolean;
  loose?: boolean;
  explainNormalization?: boolean;
  color?: boolean;
  quiet?: boolean;
}

/** The normalization rules as a table, one line per rule, with the profiles it applies in. */
export function explainNormalization(): string {
  const w = Math.max(...RULES.map((r) => r.name.length));
  const lines = [`${'rule'.padEnd(w)}  ${PROFILE_NAMES.map((p) => p.padEnd(6)).join(' ')}  what it does`];
  for (const r of RULES) lines.push(`${r.name.padEnd(w)}  ${PROFILE_NAMES.map((p) => (r.profiles.includes(p) ? 'yes' : '-').padEnd(6)).join(' ')}  ${r.description}`);
  return `${lines.join('\n')}\n`;
}

/** `picotrace diff A B`: where two traces differ after normalization; exit 0 equal, 1 different, 2-3 errors. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('compare two traces after normalization and report where they diverge (exit 0 equal, 1 different)')
    .argument('[a]', 'first trace (.ptrace), e.g. the native run')
    .argument('[b]', 'second trace (.ptrace), e.g. the library-OS run')
    .option('-C, --context <n>', 'aligned calls of context around each divergence', '3')
    .option('--format <fmt>', `report format: ${DIFF_FORMATS.join(', ')}`, 'text')
    .option('--suppressions <file>', 'hide accepted deviations listed in this rules file')
    .option('--write-suppressions <file>', 'write a rules file that accepts every divergence found')
    .option('--pid <list>', 'only these processes: pids of either trace or task positions such as 1.2 (comma-separated)')
    .option('--all', 'show every divergence, not only the first of each process')
    .option('--strict', 'strict normalization profile (the default)')
    .option('--loose', 'loose normalization profile: success values, data and structs are not compared')
    .option('--no-color', 'no ANSI colors even on a terminal')
    .option('--explain-normalization', 'list the normalization rules of each profile and exit')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (a: string | undefined, b: string | undefined, o: DiffCliOptions) => {
      if (o.explainNormalization) {
        process.stdout.write(explainNormalization());
        return;
      }
      if (!a || !b) throw new UsageError('diff: give two trace files, e.g. picotrace diff native.ptrace gvisor.ptrace');
      if (o.strict && o.loose) throw new UsageError('diff: --strict and --loose exclude each other');
      const format = parseOption(zOneOf(DIFF_FORMATS), o.format, '--format');
      const context = parseOption(zCount.pipe(z.number().max(1000, 'must be at most 1000')), o.context, '--context');
      const only = o.pid ? new Set(parseOption(z.string().regex(/^[0-9.]+(,[0-9.]+)*$/, 'expected a comma-separated list of pids or task positions'), o.pid, '--pid').split(',')) : undefined;
      const { code } = await diffFiles(a, b, {
        profile: o.loose ? 'loose' : 'strict',
        format,
        context,
        all: !!o.all,
        suppressions: o.suppressions,
        writeSuppressions: o.writeSuppressions,
        only,
        color: o.color !== false && wantColor(),
        quiet: !!o.quiet,
      });
      setExitCode(code);
    });
}
