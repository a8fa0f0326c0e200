import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseInputOverwrite, SafeOutputFile } from '../../src/util/outfile.js';
import { PicoError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/cli.js';

describe('SafeOutputFile', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());

  it('writes to a hidden temporary sibling with mode 0600 and renames it into place on commit', async () => {
    const target = path.join(dir, 'out.txt');
    fs.writeFileSync(target, 'old\n');
    const f = SafeOutputFile.create(target);
    expect(path.dirname(f.tempPath)).toBe(dir);
    expect(path.basename(f.tempPath)).toMatch(/^\.out\.txt\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(fs.statSync(f.tempPath).mode & 0o777).toBe(0o600);
    await f.write('hello ');
    await f.write(Buffer.alloc(300_000, 0x61));
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    await f.commit();
    expect(fs.readFileSync(target).length).toBe(6 + 300_000);
    expect(fs.existsSync(f.tempPath)).toBe(false);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  });

  it('leaves the target untouched and removes the temporary on abort', async () => {
    const target = path.join(dir, 'kept.txt');
    fs.writeFileSync(target, 'keep me\n');
    const f = SafeOutputFile.create(target);
    await f.write('partial');
    f.abort();
    f.abort();
    expect(fs.existsSync(f.tempPath)).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me\n');
  });

  it('refuses the input file as output, by path or through a link, and a directory', () => {
    const input = path.join(dir, 'in.ptrace');
    fs.writeFileSync(input, 'x');
    const hard = path.join(dir, 'hard.ptrace');
    fs.linkSync(input, hard);
    expect(() => refuseInputOverwrite(path.join(dir, '.', 'in.ptrace'), [input])).toThrow(/refusing to overwrite the input file/);
    expect(() => refuseInputOverwrite(hard, [input])).toThrow(PicoError);
    expect(() => refuseInputOverwrite(path.join(dir, 'other'), [input])).not.toThrow();
    expect(() => SafeOutputFile.create(dir)).toThrow(/is a directory/);
  });
});
