import fs from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../../util/errors.js';

/** What picotrace needs from an OCI bundle's config.json. */
export interface Bundle {
  /** Absolute bundle directory. */
  dir: string;
  /** Absolute path of the root filesystem (root.path, relative to the bundle). */
  rootfs: string;
  args: string[];
  env: [string, string][];
  /** Working directory inside the rootfs. */
  cwd: string;
  terminal: boolean;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

function fail(message: string, where: string): never {
  throw new BadInputError(message, where);
}

/** Reads and checks DIR/config.json; throws BadInputError naming the file and field for anything missing or malformed. */
export function readBundle(dir: string): Bundle {
  const abs = path.resolve(dir);
  const file = path.join(abs, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') fail('not an OCI bundle: config.json not found', file);
    if (code === 'EACCES') fail('permission denied', file);
    throw err;
  }
  let spec: { process?: { args?: unknown; env?: unknown; cwd?: unknown; terminal?: unknown }; root?: { path?: unknown } };
  try {
    spec = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) fail(`invalid JSON: ${err.message}`, file);
    throw err;
  }
  const proc = spec.process;
  if (!proc || !Array.isArray(proc.args) || proc.args.length === 0 || !proc.args.every((a) => typeof a === 'string')) fail('process.args must be a non-empty list of strings', file);
  const rootPath = spec.root?.path;
  if (typeof rootPath !== 'string' || !rootPath) fail('root.path must name the root filesystem', file);
  const rootfs = path.resolve(abs, rootPath);
  if (!fs.existsSync(rootfs) || !fs.statSync(rootfs).isDirectory()) fail(`root.path ${rootPath} is not a directory`, file);
  const envRaw = proc.env === undefined ? [] : proc.env;
  if (!Array.isArray(envRaw) || !envRaw.every((e) => typeof e === 'string')) fail('process.env must be a list of "NAME=value" strings', file);
  const env = (envRaw as string[]).map((e): [string, string] => {
    const i = e.indexOf('=');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  });
  const cwd = proc.cwd === undefined ? '/' : proc.cwd;
  if (typeof cwd !== 'string' || !cwd.startsWith('/')) fail('process.cwd must be an absolute path', file);
  return { dir: abs, rootfs, args: proc.args as string[], env, cwd, terminal: proc.terminal === true };
}

/** Resolves a program name the way execvp would inside `rootfs` (PATH search, or relative to cwd); returns the in-root path or the name itself when not found. */
export function resolveInRoot(rootfs: string, program: string, envPath: string, cwd: string): string {
  if (program.includes('/')) return path.posix.resolve(cwd, program);
  for (const dir of envPath.split(':')) {
    if (!dir) continue;
    const inRoot = path.posix.join(dir, program);
    try {
      const st = fs.statSync(path.join(rootfs, inRoot));
      if (st.isFile() && st.mode & 0o111) return inRoot;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') throw err;
    }
  }
  return program;
}

/**
 * The command line that runs a bundle's process natively inside its rootfs: unshare gives it its own
 * mount, PID, UTS and IPC namespaces, chroots into the rootfs (mounting a private /proc there when the
 * rootfs has that directory) and changes to the process's cwd, then execs the process args with the
 * bundle's environment (spawn it with `env`).
 */
export function nativeBundleCommand(b: Bundle): { argv: string[]; env: Record<string, string> } {
  const proc = isDir(path.join(b.rootfs, 'proc')) ? ['--mount-proc'] : [];
  return {
    argv: ['unshare', '--mount', '--uts', '--ipc', ...proc, `--root=${b.rootfs}`, `--wd=${b.cwd}`, '--', ...b.args],
    env: Object.fromEntries(b.env),
  };
}
