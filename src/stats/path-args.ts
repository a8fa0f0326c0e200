import { posix } from 'node:path';
import { argString, type ArgValue, type CallEvent } from '../model/index.js';

/** Arguments that name a path, per call name; for `*at` calls the directory fd is the argument before. */
export const PATH_ARGS: Readonly<Record<string, readonly number[]>> = {
  open: [0],
  creat: [0],
  openat: [1],
  openat2: [1],
  stat: [0],
  lstat: [0],
  stat64: [0],
  lstat64: [0],
  newfstatat: [1],
  fstatat64: [1],
  statx: [1],
  access: [0],
  faccessat: [1],
  faccessat2: [1],
  readlink: [0],
  readlinkat: [1],
  execve: [0],
  execveat: [1],
  chdir: [0],
  chroot: [0],
  mkdir: [0],
  mkdirat: [1],
  rmdir: [0],
  unlink: [0],
  unlinkat: [1],
  rename: [0, 1],
  renameat: [1, 3],
  renameat2: [1, 3],
  link: [0, 1],
  linkat: [1, 3],
  symlink: [1],
  symlinkat: [2],
  chmod: [0],
  fchmodat: [1],
  chown: [0],
  lchown: [0],
  fchownat: [1],
  truncate: [0],
  utime: [0],
  utimes: [0],
  utimensat: [1],
  futimesat: [1],
  mknod: [0],
  mknodat: [1],
  statfs: [0],
  getxattr: [0],
  lgetxattr: [0],
  setxattr: [0],
  lsetxattr: [0],
  listxattr: [0],
  llistxattr: [0],
  removexattr: [0],
  lremovexattr: [0],
  mount: [1],
  umount2: [0],
  swapon: [0],
  swapoff: [0],
  inotify_add_watch: [1],
  name_to_handle_at: [1],
  uselib: [0],
  acct: [0],
  pivot_root: [0, 1],
};

function joinAt(dir: ArgValue | undefined, p: string): string {
  if (p.startsWith('/') || !dir || dir.k !== 'fd' || !dir.path?.startsWith('/')) return p;
  return posix.join(dir.path, p);
}

/** The paths a call touched: its path arguments (relative ones joined to their directory fd when known), else the path of its first fd argument. */
export function pathsOfCall(c: CallEvent): string[] {
  const at = PATH_ARGS[c.name];
  if (at) {
    const out: string[] = [];
    for (const i of at) {
      const s = argString(c.args[i]);
      if (s !== undefined && s !== '') out.push(joinAt(i > 0 ? c.args[i - 1] : undefined, s));
    }
    return out;
  }
  for (const a of c.args) if (a.k === 'fd' && a.path !== undefined && a.path !== '') return [a.path];
  return [];
}
