import { formatEventLine } from '../render/index.js';
import { PicoError, UsageError } from '../util/errors.js';
import { parseCommand, splitScript, type CommandDef } from './commands.js';
import type { Navigator } from './navigator.js';
import { runToEnd } from './scan.js';

/** Parses a whole script first, so a typo fails before any output. Throws UsageError naming the command's position. */
export function parseScript(script: string): { def: CommandDef; arg: string; text: string }[] {
  return splitScript(script).map((text, i) => {
    try {
      return { ...parseCommand(text), text };
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`--script: command ${i + 1} (${JSON.stringify(text)}): ${err.message}`);
      throw err;
    }
  });
}

/** The line script mode prints for the cursor's event. */
export function cursorLine(nav: Navigator): string {
  if (nav.empty) return '(no event)';
  const ev = nav.current();
  return `#${ev.seq} ${formatEventLine(ev, { startTimeNs: undefined, stringLimit: 64 })}`;
}

/**
 * Runs script commands against `nav` without a terminal, writing what the panes would show:
 * `> command`, then the new position (or `! why not` when nothing was found), then any pane text the
 * command prints. A command that cannot run (bad regex, bad filter) throws UsageError naming it.
 */
export function runScript(nav: Navigator, script: string, write: (line: string) => void): { failed: number } {
  const cmds = parseScript(script);
  let failedCount = 0;
  for (const [i, c] of cmds.entries()) {
    write(`> ${c.text}`);
    let outcome;
    try {
      outcome = runToEnd(c.def.run(nav, c.arg));
    } catch (err) {
      if (err instanceof PicoError) throw new UsageError(`--script: command ${i + 1} (${JSON.stringify(c.text)}): ${err.message}`);
      throw err;
    }
    if (!outcome.ok) failedCount++;
    if (outcome.message) write(`${outcome.ok ? '' : '! '}${outcome.message}`);
    if (outcome.output) for (const l of outcome.output) write(l);
    else if (outcome.ok) write(cursorLine(nav));
  }
  return { failed: failedCount };
}
