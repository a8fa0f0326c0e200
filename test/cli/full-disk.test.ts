import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeSampleTrace } from '../helpers/sample-trace.js';

describe('a disk that fills up while export or scrub writes (mounts a 256 KiB tmpfs, so it needs root)', () => {
  let dir: string;
  let cleanup: () => void;
  let mnt: string;
  let input: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    input = path.join(dir, 'in.ptrace');
    writeSampleTrace(input, { repeat: 8000 });
    mnt = path.join(dir, 'small');
    fs.mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`this test needs root to mount a 256 KiB tmpfs: ${m.stderr.trim()}`);
  });
  afterAll(() => {
    if (mnt) execFileSync('umount', ['-l', mnt]);
    cleanup();
  });

  for (const [what, args] of [
    ['export', (out: string) => ['export', input, '--format', 'jsonl', '-o', out]],
    ['scrub', (out: string) => ['scrub', input, '-o', out, '--keep-buffers', '--map-home']],
  ] as const) {
    it(`${what}: one clear line, exit 2, the previous output untouched and no temporary left`, () => {
      const out = path.join(mnt, `${what}.out`);
      fs.writeFileSync(out, 'previous\n');
      const r = runCli(args(out));
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`picotrace: ${out}: no space left on device\n`);
      expect(fs.readdirSync(mnt).sort()).toEqual([`${what}.out`, ...(what === 'scrub' ? ['export.out'] : [])].sort());
      expect(fs.readFileSync(out, 'utf8')).toBe('previous\n');
    });
  }
});
