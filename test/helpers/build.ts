import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * vitest global setup: compiles src/ to dist/ and bundles it into dist/b/ (what bin/picotrace.js
 * runs) once, so end-to-end tests run the real CLI built from the sources under test (type errors
 * are reported by test/typecheck.test.ts).
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = spawnSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.json`], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`tsc reported errors (dist/ was still written):\n${r.stdout}${r.stderr}`);
  const b = spawnSync('npm', ['run', '-s', 'bundle'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`npm run bundle failed:\n${b.stdout}${b.stderr}`);
}
