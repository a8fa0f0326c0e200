import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/format/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { findSecrets, inflatedTraceBytes } from '../helpers/trace-bytes.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const hasRunsc = spawnSync('runsc', ['--version']).status === 0;
const FILE_SECRET = 'PLANTED-file-secret-3b9f0e';
const ENV_SECRET = 'PLANTED-env-secret-a41c77';
const SECRETS = [FILE_SECRET, ENV_SECRET];

for (const [backend, available, needs] of [
  ['native', hasStrace, 'strace'],
  ['gvisor', hasRunsc, 'runsc'],
] as const) {
  describe.skipIf(!available)(`scrubbing a run recorded with the ${backend} backend (needs ${needs}; CI installs it)`, () => {
    let dir: string;
    let cleanup: () => void;
    let record: (out: string, extra: string[]) => void;
    beforeAll(() => {
      ({ dir, cleanup } = tempDir());
      fs.writeFileSync(path.join(dir, 'secret.txt'), `${FILE_SECRET}\n`);
      record = (out, extra) => {
        const r = runCli(['record', '--backend', backend, '-o', out, '--env', ...extra, '--', '/bin/busybox', 'dd', `if=${dir}/secret.txt`, `of=${dir}/copy.txt`], {
          cwd: dir,
          env: { ...process.env, PLANTED_TOKEN: ENV_SECRET },
        });
        expect(r.stderr).toMatch(/recorded \d+ events/);
        expect(r.code).toBe(0);
      };
    });
    afterAll(() => cleanup());

    it('records the planted secrets in an unscrubbed trace, and scrub removes every byte of them', () => {
      const raw = path.join(dir, 'raw.ptrace');
      record(raw, []);
      expect(findSecrets(inflatedTraceBytes(raw), SECRETS)).toEqual(SECRETS);
      const out = path.join(dir, 'scrubbed.ptrace');
      expect(runCli(['scrub', raw, '-o', out]).code).toBe(0);
      expect(findSecrets(inflatedTraceBytes(out), SECRETS)).toEqual([]);
      const r = TraceReader.open(out);
      expect(r.header.env.find((e) => e.name === 'PLANTED_TOKEN')).toEqual({ name: 'PLANTED_TOKEN', value: '', valueRemoved: true });
      r.close();
      const dump = runCli(['dump', out, '--call', 'read,write']).stdout;
      expect(dump).toMatch(/read\(\d+<[^>]*secret\.txt>, <27 bytes sha256:([0-9a-f]{16})>, \w+\) = 27/);
      expect(dump).toMatch(/write\(\d+<[^>]*copy\.txt>, <27 bytes sha256:([0-9a-f]{16})>, \w+\) = 27/);
      const digests = [...dump.matchAll(/<27 bytes sha256:([0-9a-f]{16})>/g)].map((m) => m[1]);
      expect(new Set(digests).size).toBe(1);
    });

    it('record --scrub never stores the secrets', () => {
      const out = path.join(dir, 'rec-scrubbed.ptrace');
      record(out, ['--scrub']);
      expect(findSecrets(inflatedTraceBytes(out), SECRETS)).toEqual([]);
      const info = runCli(['info', out]);
      expect(info.code).toBe(0);
      expect(info.stdout).toMatch(/scrubbed:\s+buffers, unparsed-text, env-values/);
    });
  });
}
