import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI entry that `npx picotrace` runs. */
export const BIN = path.join(ROOT, 'bin', 'picotrace.js');

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `picotrace ARGS...` as a subprocess and returns its exit code and output. */
export function runCli(args: string[], opts: SpawnSyncOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 300_000, ...opts });
  return { code: r.status ?? 128 + (r.signal ? os.constants.signals[r.signal] : 0), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** A fresh temporary directory removed by the returned cleanup function. */
export function tempDir(prefix = 'picotrace-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every real trace under traces/ (fuzz inputs left out), as the format tests read them all. */
export function realTraceFiles(dir = path.join(ROOT, 'traces')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'fuzz' ? [] : realTraceFiles(p);
    return d.name.endsWith('.ptrace') ? [p] : [];
  });
}
