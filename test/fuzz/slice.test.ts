import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

it('a fixed-seed slice of the fuzz harness finds no crash, hang or stack trace', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'fuzz.js'), '--cases', '6000', '--seed', '20261128', '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  const summary = JSON.parse(r.stdout.split('\n')[0]);
  expect(summary.cases).toBe(6000);
  expect(r.stdout).toContain('"bad":0');
  expect(r.status).toBe(0);
}, 300_000);
