/** How one raw argument register is shown: an fd, a path, an argv array, or a plain integer. */
export type ArgKind = 'fd' | 'path' | 'argv' | 'pipefds' | 'stat' | 'int';

const FD0 = ['fd'] as const;
const DIRFD_PATH = ['fd', 'path'] as const;
const PATH0 = ['path'] as const;

const table: Record<string, readonly ArgKind[]> = {};
for (const n of [
  'read', 'write', 'close', 'fstat', 'lseek', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'fsync', 'fdatasync', 'ftruncate', 'getdents', 'getdents64', 'fchdir', 'fchmod', 'fchown', 'flock', 'ioctl', 'fcntl', 'dup',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'connect', 'bind', 'listen', 'accept', 'accept4', 'shutdown', 'getsockname',
  'getpeername', 'setsockopt', 'getsockopt', 'fstatfs', 'fadvise64', 'fallocate', 'sendfile', 'inotify_add_watch',
  'inotify_rm_watch', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'timerfd_settime', 'timerfd_gettime', 'fgetxattr', 'flistxattr',
  'syncfs', 'copy_file_range', 'splice', 'tee', 'signalfd', 'signalfd4',
])
  table[n] = FD0;
for (const n of ['openat', 'newfstatat', 'mkdirat', 'unlinkat', 'faccessat', 'faccessat2', 'readlinkat', 'fchmodat', 'fchownat', 'utimensat', 'statx', 'mknodat', 'execveat', 'openat2', 'futimesat', 'name_to_handle_at'])
  table[n] = DIRFD_PATH;
for (const n of ['open', 'stat', 'lstat', 'access', 'chdir', 'mkdir', 'rmdir', 'unlink', 'readlink', 'chmod', 'chown', 'lchown', 'truncate', 'creat', 'chroot', 'statfs', 'utime', 'utimes', 'mknod', 'getxattr', 'lgetxattr', 'listxattr', 'setxattr', 'uselib', 'acct', 'swapon', 'swapoff'])
  table[n] = PATH0;
table.execve = ['path', 'argv'];
table.pipe = ['pipefds'];
table.stat = ['path', 'stat'];
table.lstat = ['path', 'stat'];
table.fstat = ['fd', 'stat'];
table.newfstatat = ['fd', 'path', 'stat'];
table.pipe2 = ['pipefds'];
table.dup2 = ['fd', 'fd'];
table.dup3 = ['fd', 'fd'];
table.mmap = ['int', 'int', 'int', 'int', 'fd'];
table.rename = ['path', 'path'];
table.link = ['path', 'path'];
table.symlink = ['path', 'path'];
table.renameat = ['fd', 'path', 'fd', 'path'];
table.renameat2 = ['fd', 'path', 'fd', 'path'];
table.linkat = ['fd', 'path', 'fd', 'path'];
table.symlinkat = ['path', 'fd', 'path'];

/** The kinds of a call's leading arguments by syscall name (the rest are plain integers); [] for calls without fds or paths. */
export function argKinds(name: string): readonly ArgKind[] {
  return table[name] ?? [];
}

/** Number of arguments each syscall takes, where it is not six; used to drop the garbage registers a raw point reports. */
const ARG_COUNT: Record<string, number> = {};
const counts: [number, string[]][] = [
  [0, ['getpid', 'getppid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'sched_yield', 'fork', 'vfork', 'pause', 'sync', 'setsid', 'getpgrp', 'inotify_init', 'munlockall', 'vhangup', 'rt_sigreturn']],
  [1, ['close', 'dup', 'brk', 'exit', 'exit_group', 'chdir', 'fchdir', 'rmdir', 'unlink', 'uname', 'umask', 'pipe', 'set_tid_address', 'alarm', 'setuid', 'setgid', 'fsync', 'fdatasync', 'time', 'sysinfo', 'epoll_create', 'epoll_create1', 'inotify_init1', 'chroot', 'times', 'getsid', 'getpgid', 'setfsuid', 'setfsgid', 'eventfd', 'personality', 'shmdt', 'iopl', 'acct', 'syncfs', 'unshare']],
  [2, ['stat', 'fstat', 'lstat', 'access', 'munmap', 'dup2', 'pipe2', 'mkdir', 'rename', 'link', 'symlink', 'chmod', 'fchmod', 'truncate', 'ftruncate', 'getcwd', 'kill', 'listen', 'shutdown', 'flock', 'gettimeofday', 'settimeofday', 'getrlimit', 'setrlimit', 'getrusage', 'setpgid', 'arch_prctl', 'clock_gettime', 'clock_getres', 'nanosleep', 'utime', 'utimes', 'getgroups', 'setgroups', 'setreuid', 'setregid', 'tkill', 'rt_sigpending', 'sigaltstack', 'statfs', 'fstatfs', 'set_robust_list', 'eventfd2', 'timerfd_create', 'timerfd_gettime', 'inotify_rm_watch', 'memfd_create', 'capget', 'capset', 'creat', 'umount2', 'setns']],
  [3, ['read', 'write', 'open', 'lseek', 'mprotect', 'ioctl', 'readv', 'writev', 'madvise', 'dup3', 'fcntl', 'getdents', 'getdents64', 'readlink', 'chown', 'fchown', 'lchown', 'connect', 'bind', 'accept', 'getsockname', 'getpeername', 'socket', 'execve', 'setresuid', 'setresgid', 'getresuid', 'getresgid', 'mknod', 'sched_getaffinity', 'sched_setaffinity', 'rt_sigqueueinfo', 'tgkill', 'mkdirat', 'unlinkat', 'faccessat', 'fchmodat', 'inotify_add_watch', 'getrandom', 'get_robust_list', 'mincore', 'msync', 'membarrier', 'seccomp', 'poll', 'shmget', 'shmat', 'semget', 'msgget', 'signalfd', 'futimesat', 'lsetxattr', 'getcpu', 'sendmsg', 'recvmsg', 'mlock2', 'close_range', 'open_tree']],
  [4, ['rseq', 'openat', 'pread64', 'pwrite64', 'rt_sigaction', 'rt_sigprocmask', 'wait4', 'newfstatat', 'readlinkat', 'renameat', 'utimensat', 'mknodat', 'epoll_wait', 'prlimit64', 'accept4', 'socketpair', 'sendfile', 'rt_sigtimedwait', 'timerfd_settime', 'fadvise64', 'fallocate', 'tee', 'faccessat2', 'openat2', 'signalfd4', 'clock_nanosleep', 'rt_tgsigqueueinfo', 'fanotify_init', 'pidfd_send_signal']],
  [5, ['mremap', 'statx', 'prctl', 'clone', 'fchownat', 'linkat', 'renameat2', 'select', 'setsockopt', 'getsockopt', 'preadv', 'pwritev', 'waitid', 'execveat', 'kcmp', 'mount', 'ppoll', 'pselect6', 'epoll_pwait']],
];
for (const [n, names] of counts) for (const name of names) ARG_COUNT[name] = n;

/** How many argument registers `name` uses (6 when the table does not say). */
export function argCount(name: string): number {
  return ARG_COUNT[name] ?? 6;
}
