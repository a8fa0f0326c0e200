#!/usr/bin/env node
// Runs every benchmark script (bench/*.bench.mjs) in turn, or only those named on the command line
// (`npm run bench -- format`). Each script prints its own figures; this runner builds first.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
// ... and bundles it (dist/b), which bin/picotrace.js runs.
execFileSync('npm', ['run', '-s', 'bundle'], { cwd: root, stdio: 'inherit' });
const want = process.argv.slice(2);
const scripts = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => want.length === 0 || want.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const s of scripts) {
  process.stdout.write(`\n=== ${s} ===\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, s)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
