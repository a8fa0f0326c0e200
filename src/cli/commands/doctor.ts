import type { Command } from 'commander';
import { BACKEND_CHECKS, type EnvCheck } from '../../capture/index.js';
import { ExitCode } from '../../util/errors.js';
import { setExitCode } from '../main.js';
import { parseOption, zOneOf } from '../options.js';

const LABEL: Record<EnvCheck['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', info: 'info' };

/** Renders checks as aligned lines, each problem followed by what to do. */
export function renderChecks(checks: EnvCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  let out = '';
  for (const c of checks) {
    out += `${LABEL[c.status].padEnd(5)} ${c.name.padEnd(width)}  ${c.detail}\n`;
    if (c.advice && c.status !== 'ok') out += `${' '.repeat(width + 7)}-> ${c.advice}\n`;
  }
  return out;
}

/** `picotrace doctor [--backend B] [--json]`: checks that recording can work here and says what to fix; exit 4 on a failure. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that recording can work here (strace, ptrace permissions, seccomp, runsc) and say what to fix')
    .option('--backend <name>', `check only this backend: ${Object.keys(BACKEND_CHECKS).join(', ')}`)
    .option('--json', 'print the checks as JSON')
    .action(async (o: { backend?: string; json?: boolean }) => {
      const names = Object.keys(BACKEND_CHECKS) as [string, ...string[]];
      const chosen = o.backend === undefined ? names : [parseOption(zOneOf(names), o.backend, '--backend')];
      const checks = (await Promise.all(chosen.map(async (b) => (await BACKEND_CHECKS[b]()).map((c) => ({ backend: b, ...c }))))).flat();
      if (o.json) process.stdout.write(`${JSON.stringify({ ok: !checks.some((c) => c.status === 'fail'), checks }, null, 2)}\n`);
      else process.stdout.write(renderChecks(checks));
      if (checks.some((c) => c.status === 'fail')) setExitCode(ExitCode.environment);
    });
}
