import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

// bin/picotrace.js compiles the bundle with V8's code cache, kept in dist/b/cache/ (one file a
// command). These run a copy of the package, so that the cache files are this test's alone.
describe('code cache of the bundle', () => {
  let tmp: ReturnType<typeof tempDir>;
  let pkg: string;
  let cacheDir: string;
  const log = path.join(ROOT, 'traces', 'strace', 'edge.log');

  beforeAll(() => {
    tmp = tempDir();
    pkg = path.join(tmp.dir, 'pkg');
    fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(pkg, 'dist', 'b'), { recursive: true });
    for (const f of ['bin/picotrace.js', 'bin/package.json', 'dist/b/picotrace.cjs', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
    for (const d of ['schema', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(pkg, d));
    cacheDir = path.join(pkg, 'dist', 'b', 'cache');
  });
  afterAll(() => tmp.cleanup());

  /** `picotrace ARGS` from the copy (run by node, or through its #! line), with the cache's state that PICOTRACE_DEBUG prints. */
  function run(args: string[], env: Record<string, string> = {}, throughLauncher = false) {
    const [file, argv] = throughLauncher ? [path.join(pkg, 'bin', 'picotrace.js'), args] : [process.execPath, [path.join(pkg, 'bin', 'picotrace.js'), ...args]];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: tmp.dir, env: { ...process.env, PICOTRACE_DEBUG: '1', XDG_CACHE_HOME: path.join(tmp.dir, 'xdg'), ...env } });
    const state = /code cache (\S+): (\w+)/.exec(r.stderr);
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, file: state?.[1], state: state?.[2] };
  }
  const importLog = (env?: Record<string, string>) => run(['import', log, '-o', path.join(tmp.dir, `out-${Math.random()}.ptrace`)], env);
  const dumpOf = (file: string) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'picotrace.js'), 'dump', file], { encoding: 'utf8' }).stdout;

  it('is written by a first successful run of a command and used by the next', () => {
    const first = importLog();
    expect(first.code).toBe(0);
    expect(first.state).toBe('absent');
    expect(path.dirname(first.file!)).toBe(cacheDir);
    expect(path.basename(first.file!)).toMatch(/^import-[0-9a-f]{8}-[0-9a-f]{8}\.v8$/);
    const f = fs.readFileSync(first.file!);
    // Its own header: CRC-32 and length of V8's data.
    expect(f.readUInt32LE(4)).toBe(f.length - 8);
    expect(f.readUInt32LE(0)).toBe(crc32(f.subarray(8)));
    const second = importLog();
    expect(second.code).toBe(0);
    expect(second.state).toBe('used');
    expect(second.file).toBe(first.file);
    // Another command has a cache of its own.
    expect(run(['--version']).state).toBe('absent');
    const names = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.v8')).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(path.basename(first.file!));
    expect(names[1]).toMatch(/^other-[0-9a-f]{8}-[0-9a-f]{8}\.v8$/);
  });

  it('is kept apart for each set of Node flags, so that runs with and without them do not replace each other', () => {
    const trace = path.join(ROOT, 'traces', 'demo', 'native.ptrace');
    // Through its #! line the launcher gives `stats` a V8 flag; run by node directly, it has none.
    const viaLauncher = () => run(['stats', trace], {}, true);
    const a = viaLauncher();
    const b = run(['stats', trace]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.file).not.toBe(b.file);
    expect(viaLauncher().state).toBe('used');
    expect(run(['stats', trace]).state).toBe('used');
    expect(fs.readdirSync(cacheDir).filter((n) => n.startsWith('stats-'))).toHaveLength(2);
  });

  it('of record, which runs with a raised optimizing budget, is written as it was read, and used by the next record', () => {
    // The launcher raises V8's budget for `record` once the bundle is loaded, and must put it back
    // before the cache is written: V8 refuses a cache made under other flags, every run after.
    const record = (throughLauncher: boolean) => {
      const r = run(['record', '-o', path.join(tmp.dir, `rec-${Math.random()}.ptrace`), '--', 'true'], {}, throughLauncher);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    for (const throughLauncher of [true, false]) {
      expect(record(throughLauncher).state).toBe('absent');
      expect(record(throughLauncher).state).toBe('used');
      expect(record(throughLauncher).state).toBe('used');
    }
  });

  it('is compiled around when damaged or cut short, gives the same trace, and is written anew', () => {
    const good = importLog();
    expect(good.state).toBe('used');
    const file = good.file!;
    const ref = path.join(tmp.dir, 'reference.ptrace');
    expect(run(['import', log, '-o', ref], { PICOTRACE_CODE_CACHE: '0' }).code).toBe(0);
    const reference = dumpOf(ref);
    expect(reference).toMatch(/execve/);
    const bytes = fs.readFileSync(file);
    const damaged = Buffer.from(bytes);
    for (let i = 200; i < damaged.length; i += 997) damaged[i] ^= 0x5a;
    for (const bad of [damaged, bytes.subarray(0, bytes.length >> 1), Buffer.alloc(0)]) {
      fs.writeFileSync(file, bad);
      const out = path.join(tmp.dir, 'after-damage.ptrace');
      fs.rmSync(out, { force: true });
      const r = run(['import', log, '-o', out]);
      expect(r.code).toBe(0);
      expect(r.state).toBe('damaged');
      expect(dumpOf(out)).toBe(reference);
      expect(importLog().state).toBe('used');
    }
  });

  it('is not written by a run that fails, nor read or written with PICOTRACE_CODE_CACHE=0', () => {
    const failed = run(['info', path.join(tmp.dir, 'no-such.ptrace')]);
    expect(failed.code).not.toBe(0);
    expect(failed.state).toBe('absent');
    expect(fs.readdirSync(cacheDir).some((n) => n.startsWith('info-'))).toBe(false);
    const off = importLog({ PICOTRACE_CODE_CACHE: '0' });
    expect(off.code).toBe(0);
    expect(off.state).toBeUndefined();
  });

  /** A copy of the package whose dist/b/cache cannot be made (a file in its place: as root, permissions would not stop a write). */
  function readOnlyCopy(name: string): string {
    const ro = path.join(tmp.dir, name);
    fs.mkdirSync(path.join(ro, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(ro, 'dist', 'b'), { recursive: true });
    for (const f of ['bin/picotrace.js', 'bin/package.json', 'dist/b/picotrace.cjs']) fs.copyFileSync(path.join(pkg, f), path.join(ro, f));
    for (const d of ['schema', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(ro, d));
    fs.writeFileSync(path.join(ro, 'dist', 'b', 'cache'), '');
    return ro;
  }
  function importFrom(ro: string, env: Record<string, string | undefined>, i: number) {
    const out = path.join(tmp.dir, `${path.basename(ro)}-${i}.ptrace`);
    const r = spawnSync(process.execPath, [path.join(ro, 'bin', 'picotrace.js'), 'import', log, '-o', out], { encoding: 'utf8', env: { ...process.env, PICOTRACE_DEBUG: '1', ...env } });
    expect(r.status, r.stderr).toBe(0);
    expect(dumpOf(out)).toMatch(/execve/);
    const m = /code cache (\S+): (\w+)/.exec(r.stderr);
    return { file: m?.[1], state: m?.[2] };
  }

  it('where the install cannot be written, lives in the user\'s cache directory (private to the user)', () => {
    const ro = readOnlyCopy('ro-user');
    const xdg = path.join(tmp.dir, 'xdg-ro');
    const first = importFrom(ro, { XDG_CACHE_HOME: xdg }, 0);
    expect(first.state).toBe('absent');
    const second = importFrom(ro, { XDG_CACHE_HOME: xdg }, 1);
    expect(second.state).toBe('used');
    expect(second.file!.startsWith(path.join(xdg, 'picotrace') + path.sep)).toBe(true);
    expect(fs.statSync(path.dirname(second.file!)).mode & 0o777).toBe(0o700);
    // One that others may write to is neither used nor written.
    fs.chmodSync(path.dirname(second.file!), 0o777);
    expect(importFrom(ro, { XDG_CACHE_HOME: xdg }, 2).state).toBe('absent');
    fs.rmSync(second.file!);
    importFrom(ro, { XDG_CACHE_HOME: xdg }, 3);
    expect(fs.readdirSync(path.dirname(second.file!))).toEqual([]);
  });

  it('where the install cannot be written, follows $PICOTRACE_CACHE_DIR when that is set', () => {
    const ro = readOnlyCopy('ro-own');
    const own = path.join(tmp.dir, 'picotrace-cache-dir');
    const env = { PICOTRACE_CACHE_DIR: own, XDG_CACHE_HOME: path.join(tmp.dir, 'xdg-passed-over') };
    expect(importFrom(ro, env, 0).state).toBe('absent');
    const second = importFrom(ro, env, 1);
    expect(second.state).toBe('used');
    expect(path.dirname(path.dirname(second.file!))).toBe(own);
    expect(fs.existsSync(path.join(tmp.dir, 'xdg-passed-over'))).toBe(false);
  });

  it('where nothing can be written, is simply not there: every run compiles from source, and works', () => {
    const ro = readOnlyCopy('ro-none');
    // No user cache directory either: HOME unset, XDG_CACHE_HOME relative (which the spec says to ignore).
    for (let i = 0; i < 2; i++) expect(importFrom(ro, { XDG_CACHE_HOME: 'relative', HOME: undefined }, i).state).toBe('absent');
    expect(fs.statSync(path.join(ro, 'dist', 'b', 'cache')).isFile()).toBe(true);
  });

  it('says in one line that picotrace must be built when the bundle is missing', () => {
    const bare = path.join(tmp.dir, 'unbuilt');
    fs.mkdirSync(path.join(bare, 'bin'), { recursive: true });
    for (const f of ['bin/picotrace.js', 'bin/package.json']) fs.copyFileSync(path.join(pkg, f), path.join(bare, f));
    const r = spawnSync(process.execPath, [path.join(bare, 'bin', 'picotrace.js'), 'info', 'x.ptrace'], { encoding: 'utf8' });
    expect(r.status).toBe(70);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^picotrace: cannot read \S+picotrace\.cjs \(ENOENT\): build picotrace first \(npm run build\)$/)]);
  });

  it('says in one line that picotrace must be built again when the bundle is cut short', () => {
    const cut = path.join(tmp.dir, 'cut');
    fs.mkdirSync(path.join(cut, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(cut, 'dist', 'b'), { recursive: true });
    for (const f of ['bin/picotrace.js', 'bin/package.json']) fs.copyFileSync(path.join(pkg, f), path.join(cut, f));
    const whole = fs.readFileSync(path.join(pkg, 'dist', 'b', 'picotrace.cjs'));
    fs.writeFileSync(path.join(cut, 'dist', 'b', 'picotrace.cjs'), whole.subarray(0, whole.length >> 1));
    const r = spawnSync(process.execPath, [path.join(cut, 'bin', 'picotrace.js'), 'info', 'x.ptrace'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: path.join(tmp.dir, 'xdg') } });
    expect(r.status).toBe(70);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^picotrace: cannot load \S+picotrace\.cjs \(.+\): build picotrace again \(npm run build\)$/)]);
  });

  it('of an older bundle is not used, and is replaced', () => {
    const before = importLog();
    expect(before.state).toBe('used');
    // A rebuilt bundle of the same length: V8 alone would take the old cache for it.
    const bundle = path.join(pkg, 'dist', 'b', 'picotrace.cjs');
    const later = new Date(fs.statSync(bundle).mtimeMs + 5000);
    fs.utimesSync(bundle, later, later);
    // What a run killed between writing and renaming left.
    const leftover = path.join(cacheDir, `${path.basename(before.file!)}.99999.tmp`);
    fs.writeFileSync(leftover, 'partial');
    const after = importLog();
    expect(after.code).toBe(0);
    expect(after.state).toBe('absent');
    expect(after.file).not.toBe(before.file);
    expect(fs.existsSync(before.file!)).toBe(false);
    expect(fs.existsSync(after.file!)).toBe(true);
    expect(fs.existsSync(leftover)).toBe(false);
    expect(importLog().state).toBe('used');
  });
});
