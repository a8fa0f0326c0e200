import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

it('the project type-checks under strict TypeScript', () => {
  const r = spawnSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', `${ROOT}/tsconfig.json`, '--noEmit'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
