import path from 'node:path';
import { DEFAULT_BUFFER_SIZE } from '../capture/native/flags.js';
import { VERSION } from './version.js';

/** What `record` runs and where it writes, read from a command line before commander is loaded. */
export interface EarlyRecord {
  argv: string[];
  output: string;
  bufferSize: number;
  env: boolean;
  stack: boolean;
  scrub: boolean;
  /** --cpu N: strace and the program run on CPU N only. */
  cpu?: number;
}

/** The time stamp of a default trace name, when bin/picotrace.js chose it before Node ran. */
let launchStamp: string | undefined;

/**
 * The default trace name for a command: `CMD-YYYYMMDD-HHMMSS.ptrace` in the current directory, in
 * local time when picotrace started (so that reading the command line twice, or in the shell
 * launcher first, gives one name).
 */
export function defaultOutputName(cmd: string, now?: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const t = now ?? new Date(Math.floor(performance.timeOrigin));
  const stamp = now === undefined && launchStamp ? launchStamp : `${t.getFullYear()}${p(t.getMonth() + 1)}${p(t.getDate())}-${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
  const base = path.basename(cmd).replace(/[^A-Za-z0-9._+-]/g, '_') || 'trace';
  return `${base}-${stamp}.ptrace`;
}

const VALUED = new Set(['--output', '--buffer-size', '--backend', '--cpu']);
const FLAGS = new Set(['--env', '--stack', '--scrub']);

/**
 * Reads `record [OPTIONS] -- CMD ARGS...` the way commander will, for the plain forms only: each of
 * -o/--output, --buffer-size, --cpu, --backend native, --env, --stack and --scrub at most once, before `--`.
 * Anything else (another backend, --bundle, help, a value that looks like an option or that commander
 * would refuse) gives undefined, and the command line is left to commander alone.
 */
export function parseEarlyRecord(args: string[]): EarlyRecord | undefined {
  if (args[0] !== 'record') return undefined;
  const end = args.indexOf('--');
  if (end < 0 || end === args.length - 1) return undefined;
  const seen = new Set<string>();
  const r: EarlyRecord = { argv: args.slice(end + 1), output: '', bufferSize: DEFAULT_BUFFER_SIZE, env: false, stack: false, scrub: false };
  let output: string | undefined;
  for (let i = 1; i < end; i++) {
    const arg = args[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = arg === '-o' ? '--output' : eq > 0 ? arg.slice(0, eq) : arg;
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (VALUED.has(name)) {
      let value = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (value === undefined) {
        if (i + 1 >= end) return undefined;
        value = args[++i];
      }
      if (value === '' || value.startsWith('-')) return undefined;
      if (name === '--output') output = value;
      else if (name === '--backend') {
        if (value !== 'native') return undefined;
      } else if (name === '--cpu') {
        if (!/^(0|[1-9][0-9]{0,3})$/.test(value)) return undefined;
        r.cpu = Number(value);
      } else {
        if (!/^[1-9][0-9]{0,6}$/.test(value) || Number(value) > 1 << 20) return undefined;
        r.bufferSize = Number(value);
      }
    } else if (eq < 0 && FLAGS.has(name)) {
      if (name === '--env') r.env = true;
      else if (name === '--stack') r.stack = true;
      else r.scrub = true;
    } else {
      return undefined;
    }
  }
  r.output = output ?? defaultOutputName(r.argv[0]);
  return r;
}

/**
 * Starts the recording a `record` command line asks for at once, before the rest of picotrace loads
 * (see launchEarly), or takes over the strace bin/picotrace.js already started for it
 * (adoptShellLaunch); the record command adopts it. Does nothing for any other command line.
 */
export async function startEarly(args: string[]): Promise<void> {
  const { takeShellLaunch, adoptShellLaunch, launchEarly } = await import('../capture/native/record.js');
  try {
    const shell = takeShellLaunch();
    if (shell) launchStamp = shell.stamp;
    const r = parseEarlyRecord(args);
    const opts = r && { ...r, writer: VERSION, log: (line: string) => process.stderr.write(`${line}\n`) };
    if (!shell) {
      if (opts) launchEarly(opts);
      return;
    }
    // The launcher takes a subset of the forms read here (test/cli/launcher.test.ts).
    if (!opts) throw new Error('the command line does not read as the one the launcher took');
    adoptShellLaunch(opts, shell);
  } catch (err) {
    process.stderr.write(`picotrace: cannot take over the recording bin/picotrace.js started: ${(err as Error).message}\n`);
    process.exit(4);
  }
}
