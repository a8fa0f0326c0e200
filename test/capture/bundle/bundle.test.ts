import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../../src/capture/bundle/index.js';
import { TraceReader } from '../../../src/format/index.js';
import type { TraceEvent } from '../../../src/model/index.js';
import { runCli, tempDir } from '../../helpers/cli.js';

const BUSYBOX = '/bin/busybox';
const SCRIPT = 'cat /etc/hostname; echo made > /tmp/out; cat /tmp/out; test -r /proc/self/status || echo no-proc; exit 5';

function readAll(file: string): { header: TraceReader['header']; events: TraceEvent[] } {
  const r = TraceReader.open(file);
  try {
    return { header: r.header, events: [...r.events()] };
  } finally {
    r.close();
  }
}

let tmp: { dir: string; cleanup: () => void };
let bundle: string;

/** A tiny OCI bundle: a busybox-static rootfs and the config.json `runsc spec` writes, with the process replaced. */
function makeBundle(dir: string): void {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'proc', 'tmp', 'dev', 'sys']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'cat', 'echo', 'ls']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.writeFileSync(path.join(rootfs, 'etc', 'hostname'), 'bundlehost\n');
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  const r = spawnSync('runsc', ['spec'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  spec.process.args = ['/bin/sh', '-c', SCRIPT];
  spec.process.cwd = '/tmp';
  spec.process.env = ['PATH=/bin', 'BUNDLE_VAR=1'];
  spec.process.terminal = false;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2));
}

beforeAll(() => {
  tmp = tempDir('picotrace-bundle-test-');
  fs.chmodSync(tmp.dir, 0o755);
  bundle = path.join(tmp.dir, 'bundle');
  fs.mkdirSync(bundle);
  makeBundle(bundle);
});
afterAll(() => tmp.cleanup());

describe('readBundle', () => {
  it("reads the process args, env, cwd and rootfs of a bundle's config.json", () => {
    const b = readBundle(bundle);
    expect(b.args).toEqual(['/bin/sh', '-c', SCRIPT]);
    expect(b.env).toEqual([['PATH', '/bin'], ['BUNDLE_VAR', '1']]);
    expect(b.cwd).toBe('/tmp');
    expect(b.rootfs).toBe(path.join(bundle, 'rootfs'));
  });

  it('names the file and the problem for a directory that is not a bundle', () => {
    expect(() => readBundle(tmp.dir)).toThrow(/config\.json: not an OCI bundle/);
    const bad = path.join(tmp.dir, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'config.json'), '{"process":{"args":[]},"root":{"path":"rootfs"}}');
    expect(() => readBundle(bad)).toThrow(/process\.args must be a non-empty list/);
  });
});

describe.each([
  ['gvisor', ['--backend', 'gvisor']],
  ['gvisor monitor', ['--backend', 'gvisor', '--source', 'monitor']],
  ['native', ['--backend', 'native']],
])('record %s --bundle', (name, flags) => {
  it("runs the bundle's process in its rootfs with its env and cwd, and exits with its status", () => {
    const out = path.join(tmp.dir, `${name.replace(' ', '-')}.ptrace`);
    const r = runCli(['record', ...flags, '--bundle', bundle, '-o', out], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout).toBe('bundlehost\nmade\n');
    const t = readAll(out);
    expect(t.header.argv).toEqual(['/bin/sh', '-c', SCRIPT]);
    expect(t.header.captureOptions.bundle).toBe(bundle);
    const execs = t.events.filter((e): e is Extract<TraceEvent, { kind: 'exec' }> => e.kind === 'exec');
    expect(execs.some((e) => e.path === '/bin/sh' && e.argv.join(' ') === `/bin/sh -c ${SCRIPT}`)).toBe(true);
    expect(execs.some((e) => e.argv.join(' ') === 'cat /etc/hostname')).toBe(true);
    const sh = execs.find((e) => e.path === '/bin/sh')!;
    const root = t.events.find((e) => e.kind === 'start' && e.isRoot)!;
    expect(sh.pid, 'the bundle process is the root of the traced tree').toBe(root.pid);
    expect(t.events.some((e) => e.kind === 'exit' && e.pid === sh.pid && e.status === 5)).toBe(true);
  });
});

it('record --bundle with a directory that is not a bundle exits 2 naming config.json', () => {
  const r = runCli(['record', '--backend', 'gvisor', '--bundle', tmp.dir, '-o', path.join(tmp.dir, 'x.ptrace')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/config\.json: not an OCI bundle/);
});
