import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeSampleTrace } from '../helpers/sample-trace.js';

describe('output files of import and diff', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('import refuses to overwrite the log it reads', () => {
    const log = path.join(dir, 'run.log');
    const text = '100 1700000000.000001 getpid() = 100 <0.000002>\n';
    fs.writeFileSync(log, text);
    const r = runCli(['import', log, '-o', log]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`picotrace: refusing to overwrite the input file ${log}; choose another output name\n`);
    expect(fs.readFileSync(log, 'utf8')).toBe(text);
  });

  it('diff --write-suppressions refuses the traces it compares, and writes its rules file with mode 0600', () => {
    const a = path.join(dir, 'a.ptrace');
    const b = path.join(dir, 'b.ptrace');
    writeSampleTrace(a);
    writeSampleTrace(b, { statErrno: 13 });
    const before = fs.readFileSync(a);
    const refused = runCli(['diff', a, b, '--write-suppressions', a]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(fs.readFileSync(a).equals(before)).toBe(true);
    const rules = path.join(dir, 'accepted.rules');
    const r = runCli(['diff', a, b, '--write-suppressions', rules]);
    expect(r.code).toBe(1);
    expect(fs.statSync(rules).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(rules, 'utf8')).toMatch(/newfstatat/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
