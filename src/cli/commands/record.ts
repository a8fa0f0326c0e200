import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod/v3';
import { BACKENDS, DEFAULT_BUFFER_SIZE } from '../../capture/index.js';
import { UsageError } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { parseOption, zCount, zOneOf } from '../options.js';
import { defaultOutputName } from '../early.js';
import { runRecord } from '../record-run.js';

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
      setExitCode(await runRecord({ argv, output, bufferSize, backend, env: !!o.env, stack: !!o.stack, cpu, source: o.source, bundle: o.bundle, scrub: !!o.scrub }));
    });
}
