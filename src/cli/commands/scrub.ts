import type { Command } from 'commander';
import { createScrubber, HOME_RULES, parsePathRule, type PathRule, type ScrubOptions } from '../../scrub/index.js';
import { ExitCode, UsageError } from '../../util/errors.js';
import { refuseInputOverwrite } from '../../util/outfile.js';
import { setExitCode } from '../main.js';
import { collect } from '../options.js';
import { scrubTraceFile } from '../scrubfile.js';

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
