import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { BACKENDS, checkRunsc, DEFAULT_BUFFER_SIZE } from '../../capture/index.js';
import { DigestAnnotator } from '../../compare/index.js';
import { CaptureEnvError, fileError } from '../../util/errors.js';
import { PACKAGE_ROOT } from '../../util/root.js';
import { diffFiles, wantColor, writeOut } from '../compare.js';
import { VERSION } from '../version.js';

/** The demo workload: a deterministic shell script that writes, reads, lists and removes a file, and runs two programs. */
export const DEMO_SCRIPT = "printf 'hello from picotrace\\n' > demo.txt; cat demo.txt; wc -c < demo.txt; ls demo.txt; rm demo.txt";

/** Where the traces shipped for machines that cannot record live (inside the package). */
export const SHIPPED_DEMO_DIR = path.join(PACKAGE_ROOT, 'traces', 'demo') + path.sep;

interface DemoOptions {
  out: string;
  shipped?: boolean;
}

async function recordInto(backend: string, output: string, workdir: string, say: (s: string) => void): Promise<boolean> {
  const record = BACKENDS[backend];
  if (!record) return false;
  fs.rmSync(workdir, { recursive: true, force: true });
  fs.mkdirSync(workdir, { recursive: true });
  try {
    await record({
      argv: ['/bin/sh', '-c', DEMO_SCRIPT],
      output,
      bufferSize: DEFAULT_BUFFER_SIZE,
      env: false,
      cwd: workdir,
      writer: VERSION,
      annotator: new DigestAnnotator('strict'),
    });
    return true;
  } catch (err) {
    if (!(err instanceof CaptureEnvError)) throw err;
    say(`cannot record with the ${backend} backend here: ${err.message}`);
    return false;
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

function useShipped(name: string, out: string, say: (s: string) => void): boolean {
  const src = path.join(SHIPPED_DEMO_DIR, name);
  if (!fs.existsSync(src)) return false;
  fs.copyFileSync(src, out);
  fs.chmodSync(out, 0o600);
  say(`using the ${name} shipped in ${SHIPPED_DEMO_DIR} instead`);
  return true;
}

/** `picotrace demo`: records a small workload natively and under gVisor (or uses shipped traces), diffs them, says what to run next. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('record a small workload natively and under gVisor, diff the two traces and show how to explore them')
    .option('--out <dir>', 'directory for the two traces', 'picotrace-demo')
    .option('--shipped', 'do not record: diff the traces shipped with picotrace')
    .action(async (o: DemoOptions) => {
      const say = (s: string) => process.stderr.write(`picotrace demo: ${s}\n`);
      try {
        fs.mkdirSync(o.out, { recursive: true });
      } catch (err) {
        fileError(err, o.out);
      }
      const native = path.join(o.out, 'native.ptrace');
      const gvisor = path.join(o.out, 'gvisor.ptrace');
      const work = path.resolve(o.out, 'work');
      say(`workload: /bin/sh -c "${DEMO_SCRIPT}"`);
      let nativeOk = false;
      if (!o.shipped) {
        say('recording natively (strace)...');
        nativeOk = await recordInto('native', native, work, say);
      }
      if (!nativeOk && !useShipped('native.ptrace', native, say)) throw new CaptureEnvError('demo: cannot record natively and no shipped trace was found', 'run picotrace doctor');
      let gvisorOk = false;
      if (!o.shipped) {
        const runsc = checkRunsc();
        if (!BACKENDS.gvisor) say('this build has no gvisor backend');
        else if (runsc.status !== 'ok') say(`runsc is not usable: ${runsc.detail}`);
        else {
          say('recording under gVisor (runsc)...');
          gvisorOk = await recordInto('gvisor', gvisor, work, say);
        }
      }
      if (!gvisorOk && !useShipped('gvisor.ptrace', gvisor, say)) throw new CaptureEnvError('demo: cannot record under gVisor and no shipped trace was found', 'install runsc, or run picotrace doctor');
      writeOut('\n');
      await diffFiles(native, gvisor, { profile: 'strict', format: 'text', context: 3, all: false, color: wantColor() });
      const q = (p: string) => (/^[\w./-]+$/.test(p) ? p : JSON.stringify(p));
      writeOut(
        [
          '',
          'Next:',
          `  picotrace replay ${q(native)} --diff ${q(gvisor)}     # the two runs side by side, n/N jump between divergences`,
          `  picotrace bisect ${q(native)} ${q(gvisor)}            # first divergent call per process, from the stream digests`,
          `  picotrace diff ${q(native)} ${q(gvisor)} --format markdown   # a report to paste into an issue`,
          '',
        ].join('\n'),
      );
    });
}
