import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod/v3';
import { BACKENDS, DEFAULT_BUFFER_SIZE } from '../../capture/index.js';
import { DigestAnnotator } from '../../compare/annotate.js';
import { UsageError } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount, zOneOf } from '../options.js';
import { VERSION } from '../version.js';
import { defaultOutputName } from '../early.js';

interface RecordCliOptions {
  output?: string;
  bufferSize: string;
  env?: boolean;
  stack?: boolean;
  cpu?: string;
  backend: string;
  source?: string;
  bundle?: string;
  scrub?: boolean;
}

/** `picotrace record [-o FILE] [--buffer-size N] [--env] [--backend B] -- CMD ARGS...`: records a program; exits with its status. */
export function registerRecord(program: Command): void {
  program
    .command('record')
    .description("run a command and record every call it makes into a trace; exits with the command's status")
    .argument('[command...]', 'the command and its arguments (after --)')
    .option('-o, --output <file>', 'trace file to write (default: CMD-YYYYMMDD-HHMMSS.ptrace)')
    .option('--buffer-size <n>', 'bytes of each read/write buffer and string to keep', String(DEFAULT_BUFFER_SIZE))
    .option('--env', 'store the environment (header and every exec); off by default since it may hold secrets')
    .option('--stack', 'store the user-space stack of every call (native backend: strace -k; several times slower)')
    .option('--cpu <n>', 'run strace and the program on CPU N only, as rr does: faster on syscall-heavy programs (no wakeup across CPUs at each call), but the program sees one CPU (native backend)')
    .option('--backend <name>', `how to record: ${Object.keys(BACKENDS).join(', ')}`, 'native')
    .option('--source <source>', 'backend-specific event source (gvisor: monitor or strace-log)')
    .option('--bundle <dir>', "run an OCI bundle's process instead of a command (gvisor: runsc run; native: in its rootfs with unshare)")
    .option('--scrub', 'write a scrubbed trace: buffer contents and environment values never reach the file (see picotrace scrub)')
    .action(async (argv: string[], o: RecordCliOptions) => {
      const backendNames = Object.keys(BACKENDS) as [string, ...string[]];
      const backend = parseOption(zOneOf(backendNames), o.backend, '--backend');
      const bufferSize = parseOption(zCount.pipe(z.number().min(1, 'must be at least 1').max(1 << 20, 'must be at most 1048576')), o.bufferSize, '--buffer-size');
      const cpu = o.cpu === undefined ? undefined : parseOption(zCount, o.cpu, '--cpu');
      if (argv.length === 0 && !o.bundle) throw new UsageError('record: give the command to run after --, e.g. picotrace record -- ls /');
      const output = o.output ?? defaultOutputName(argv[0] ?? (o.bundle ? path.resolve(o.bundle) : 'trace'));
      // Scrubbing is loaded only when asked for: a recording starts its program sooner without it.
      const scrub = o.scrub ? await import('../../scrub/index.js') : undefined;
      const scrubber = scrub?.createScrubber({ buffers: true, env: true, paths: [] });
      const r = await BACKENDS[backend]({
        argv,
        output,
        bufferSize,
        env: !!o.env,
        stack: !!o.stack,
        cpu,
        source: o.source,
        bundle: o.bundle,
        writer: VERSION,
        transform: scrubber,
        annotator: new DigestAnnotator('strict'),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (scrub && scrubber && !(await isScrubbed(output, scrub.scrubbedTokens(scrubber.options)))) await (await import('../scrubfile.js')).scrubInPlace(output, scrubber, { quiet: true });
      for (const w of r.warnings) process.stderr.write(`picotrace: warning: ${w}\n`);
      process.stderr.write(`picotrace: recorded ${r.events} events to ${output} (exit status ${r.exitCode})\n`);
      setExitCode(r.exitCode);
    });
}

async function isScrubbed(file: string, tokens: string[]): Promise<boolean> {
  const { TraceReader } = await import('../../format/reader.js');
  const r = TraceReader.open(file);
  try {
    return tokens.every((t) => r.header.scrubbed.includes(t));
  } finally {
    r.close();
  }
}
