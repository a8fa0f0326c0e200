import type { Command } from 'commander';
import { TraceReader } from '../../format/index.js';
import { DiffNavigator, keyframeCache, runDiffScreen, runDiffScript, Navigator, parseBreakpoint, parseFilter, parseScript, runScreen, runScript, runToEnd, type Breakpoint, type FilterSpec } from '../../tui/index.js';
import { ExitCode, UsageError } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { collect as collectOption, parseOption, zCount } from '../options.js';
import { writeLines } from '../output.js';
import { openDiff } from '../compare.js';

interface ReplayOptions {
  goto?: string;
  filter?: string[];
  break?: string[];
  script?: string;
  diff?: string;
  suppressions?: string;
  cache: boolean;
}

function mergeFilters(specs: string[]): FilterSpec | undefined {
  if (!specs.length) return undefined;
  return parseFilter(specs.join(' '));
}

async function replayDiff(a: string, b: string, o: ReplayOptions): Promise<void> {
  if (o.script === undefined && (!process.stdout.isTTY || !process.stdin.isTTY))
    throw new UsageError('replay needs a terminal on stdin and stdout; use --script to navigate without one');
  const d = await openDiff(a, b, 'strict', o.suppressions);
  try {
    const nav = new DiffNavigator(d.result, d.view);
    if (o.script !== undefined) {
      const lines: string[] = [];
      try {
        runDiffScript(nav, o.script, (l) => lines.push(l));
      } finally {
        await writeLines(lines);
      }
    } else await runDiffScreen(nav, { a, b });
  } finally {
    d.close();
  }
}

/** `picotrace replay FILE`: the step-through debugger (terminal UI), or the same navigation as a script with --script. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('step through a trace in the terminal with the kernel state (fds, cwd, memory map, processes) rebuilt at every call')
    .argument('<file>', 'trace file (.ptrace)')
    .option('--goto <n>', 'start at event number n')
    .option('--filter <spec>', 'show only pid=, tid=, call=, class=, errno= (repeatable)', collectOption)
    .option('--break <spec>', 'breakpoint call=NAME, path=PATH, errno=ERRNO or fd=N (repeatable)', collectOption)
    .option('--script <cmds>', "run navigation commands without a terminal, e.g. 'goto 120; next-error; state'")
    .option('--diff <other>', 'show this trace and another side by side, aligned, divergences highlighted (n/N: next/previous divergence)')
    .option('--suppressions <file>', 'with --diff: hide accepted deviations listed in this rules file')
    .option('--no-cache', 'neither use nor keep the state keyframes of this trace in the cache directory (see docs/replay.md)')
    .action(async (file: string, o: ReplayOptions) => {
      if (o.diff !== undefined) return replayDiff(file, o.diff, o);
      const start = o.goto === undefined ? undefined : parseOption(zCount, o.goto, '--goto');
      const filter = mergeFilters(o.filter ?? []);
      const breakpoints: Breakpoint[] = (o.break ?? []).map((b) => parseBreakpoint(b));
      const script = o.script === undefined ? undefined : parseScript(o.script);
      if (script === undefined && (!process.stdout.isTTY || !process.stdin.isTTY))
        throw new UsageError('replay needs a terminal on stdin and stdout; use --script to navigate without one');
      const reader = TraceReader.open(file);
      try {
        const nav = new Navigator(reader, { filter, breakpoints });
        // Keyframes kept from an earlier run over the same trace: the state at every event at once.
        const cache = o.cache ? keyframeCache(reader) : undefined;
        const cached = cache?.load(nav.states) ?? false;
        const keep = () => {
          if (!cached) cache?.save(nav.states);
        };
        let message = nav.damage();
        if (start !== undefined) {
          const r = runToEnd(nav.goto(start));
          if (!r.ok) {
            if (script !== undefined) throw new UsageError(`--goto: ${r.message}`);
            message = r.message ?? message;
          }
        }
        if (script !== undefined) {
          const lines: string[] = [];
          try {
            runScript(nav, o.script as string, (l) => lines.push(l));
          } finally {
            await writeLines(lines);
          }
          keep();
          const damage = nav.damage();
          if (damage) {
            process.stderr.write(`picotrace: ${damage}\n`);
            setExitCode(ExitCode.corrupt);
          }
        } else {
          await runScreen(nav, { message, onIndexed: keep });
        }
      } finally {
        reader.close();
      }
    });
}
