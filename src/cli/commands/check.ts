import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod/v3';
import { BACKENDS, DEFAULT_BUFFER_SIZE } from '../../capture/index.js';
import { DigestAnnotator } from '../../compare/index.js';
import { UsageError } from '../../util/errors.js';
import { DIFF_FORMATS, diffFiles, wantColor } from '../compare.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount, zOneOf } from '../options.js';
import { VERSION } from '../version.js';

interface CheckCliOptions {
  against?: string;
  backend: string;
  source?: string;
  suppressions?: string;
  format: string;
  context: string;
  keep?: string;
  loose?: boolean;
  all?: boolean;
}

/**
 * `picotrace check --against GOLDEN -- CMD`: records CMD and diffs it against a golden trace; exit 0 when they
 * match after normalization and suppressions, 1 when not (so `git bisect run picotrace check ...` works).
 */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('record a command and diff it against a golden trace: exit 0 same, 1 different (for git bisect run)')
    .argument('[command...]', 'the command and its arguments (after --)')
    .requiredOption('--against <golden>', 'golden trace to compare with (.ptrace)')
    .option('--backend <name>', `how to record: ${Object.keys(BACKENDS).join(', ')}`, 'native')
    .option('--source <source>', 'backend-specific event source')
    .option('--suppressions <file>', 'hide accepted deviations listed in this rules file')
    .option('--format <fmt>', `report format: ${DIFF_FORMATS.join(', ')}`, 'text')
    .option('-C, --context <n>', 'aligned calls of context around each divergence', '3')
    .option('--keep <file>', 'keep the new recording under this name')
    .option('--loose', 'loose normalization profile')
    .option('--all', 'show every divergence, not only the first of each process')
    .action(async (argv: string[], o: CheckCliOptions) => {
      const backends = Object.keys(BACKENDS) as [string, ...string[]];
      const backend = parseOption(zOneOf(backends), o.backend, '--backend');
      const format = parseOption(zOneOf(DIFF_FORMATS), o.format, '--format');
      const context = parseOption(zCount.pipe(z.number().max(1000, 'must be at most 1000')), o.context, '--context');
      if (argv.length === 0) throw new UsageError('check: give the command to run after --, e.g. picotrace check --against golden.ptrace -- ./prog');
      if (!fs.existsSync(o.against!)) throw new UsageError(`--against: no such file: ${o.against}`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picotrace-check-'));
      const output = o.keep ?? path.join(dir, 'run.ptrace');
      try {
        const profile = o.loose ? 'loose' : 'strict';
        const r = await BACKENDS[backend]({
          argv,
          output,
          bufferSize: DEFAULT_BUFFER_SIZE,
          env: false,
          source: o.source,
          writer: VERSION,
          annotator: new DigestAnnotator(profile),
          log: (line) => process.stderr.write(`${line}\n`),
        });
        for (const w of r.warnings) process.stderr.write(`picotrace: warning: ${w}\n`);
        const { code } = await diffFiles(o.against!, output, { profile, format, context, all: !!o.all, suppressions: o.suppressions, color: wantColor() });
        setExitCode(code);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
}
