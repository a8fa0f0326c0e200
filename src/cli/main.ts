import type { Command } from 'commander';
import { PicoError, ExitCode } from '../util/errors.js';
import { COMMAND_LOADERS, loadCommands } from './commands/index.js';
import { parseEarlyRecord } from './early.js';
import { VERSION } from './version.js';

/** Builds the commander program with the subcommand that `argv` names registered (every one when it names none). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const first = argv.find((a) => !a.startsWith('-'));
  const [registers, { Command }] = await Promise.all([loadCommands(first !== undefined && first in COMMAND_LOADERS ? [first] : undefined), import('commander')]);
  const program = new Command('picotrace')
    .description('Record, replay, diff and bisect system-call traces of native and library-OS runs')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s.startsWith('error:') ? `picotrace: ${s.slice(7)}` : s) });
  for (const register of registers) register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Process exit codes of subcommand actions are set through this; only main() calls process.exit. */
export function reportError(err: unknown): number {
  if (err instanceof PicoError) {
    process.stderr.write(`picotrace: ${err.message}\n`);
    return err.exitCode;
  }
  // commander's CommanderError, told by its code (commander is not loaded for a plain record).
  const code = (err as { code?: unknown } | undefined)?.code;
  if (err instanceof Error && typeof code === 'string' && code.startsWith('commander.')) {
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'EPIPE') return ExitCode.ok;
  process.stderr.write(`picotrace: internal error: ${e && e.message ? e.message : String(err)}\n`);
  if (process.env.PICOTRACE_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return 70;
}

/** Runs one command line in this process and returns its exit code (what main() exits with). */
export async function run(argv: string[]): Promise<number> {
  // A plain `record` command line (the forms parseEarlyRecord reads, as commander would: test/cli/
  // early-record.test.ts) records at once: commander, zod and the option checks are some 25 ms of a
  // short recording's start-up.
  const plain = parseEarlyRecord(argv);
  if (!plain) return runCommander(argv);
  try {
    return await (await import('./record-run.js')).runRecord({ ...plain, backend: 'native' });
  } catch (err) {
    return reportError(err);
  }
}

/** run(), every command line read by commander. */
export async function runCommander(argv: string[]): Promise<number> {
  pendingCode = ExitCode.ok;
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return pendingCode;
  } catch (err) {
    return reportError(err);
  }
}

/** The CLI entry: runs one command and exits with its code. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  });
  const code = await run(argv);
  await new Promise<void>((resolve) => (process.stdout.writableLength ? process.stdout.once('drain', () => resolve()) : resolve()));
  process.exit(code);
}

let pendingCode: number = ExitCode.ok;

/** Lets an action state its exit code (1 for differences found, the traced program's status, ...). */
export function setExitCode(code: number): void {
  pendingCode = code;
}
