/** Call classes for filters (`class=file`), as a table from class to call names. */
export const CALL_CLASSES: Readonly<Record<string, readonly string[]>> = {
  file: [
    'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev',
    'preadv2', 'pwritev2', 'lseek', 'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'statfs', 'fstatfs', 'access', 'faccessat', 'faccessat2',
    'readlink', 'readlinkat', 'getdents', 'getdents64', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2',
    'link', 'linkat', 'symlink', 'symlinkat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'lchown', 'fchownat', 'truncate', 'ftruncate',
    'fsync', 'fdatasync', 'sync', 'syncfs', 'chdir', 'fchdir', 'getcwd', 'dup', 'dup2', 'dup3', 'fcntl', 'ioctl', 'flock', 'pipe', 'pipe2',
    'fadvise64', 'fallocate', 'utimensat', 'utime', 'utimes', 'mknod', 'mknodat', 'getxattr', 'lgetxattr', 'fgetxattr', 'setxattr',
    'lsetxattr', 'fsetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'sendfile', 'splice', 'tee', 'copy_file_range', 'inotify_init',
    'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'memfd_create', 'eventfd', 'eventfd2', 'umask', 'mount', 'umount2', 'chroot',
    'pivot_root', 'name_to_handle_at', 'open_by_handle_at',
  ],
  network: [
    'socket', 'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername', 'sendto', 'recvfrom', 'sendmsg',
    'recvmsg', 'sendmmsg', 'recvmmsg', 'shutdown', 'setsockopt', 'getsockopt', 'poll', 'ppoll', 'select', 'pselect6', 'epoll_create',
    'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'sethostname', 'setdomainname',
  ],
  process: [
    'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill', 'getpid',
    'getppid', 'gettid', 'setsid', 'getsid', 'setpgid', 'getpgid', 'getpgrp', 'prctl', 'arch_prctl', 'set_tid_address', 'set_robust_list',
    'get_robust_list', 'unshare', 'setns', 'ptrace', 'getuid', 'geteuid', 'getgid', 'getegid', 'setuid', 'setgid', 'setreuid', 'setregid',
    'setresuid', 'setresgid', 'getresuid', 'getresgid', 'getgroups', 'setgroups', 'capget', 'capset', 'prlimit64', 'getrlimit', 'setrlimit',
    'getrusage', 'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'futex', 'rseq', 'pidfd_open', 'pidfd_send_signal', 'pidfd_getfd',
    'seccomp', 'personality', 'uname', 'sysinfo',
  ],
  memory: ['mmap', 'munmap', 'mprotect', 'mremap', 'brk', 'madvise', 'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'mincore', 'msync', 'membarrier', 'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'memfd_secret', 'process_vm_readv', 'process_vm_writev'],
  signal: ['rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'signalfd', 'signalfd4', 'kill', 'tkill', 'tgkill', 'pause', 'alarm', 'pidfd_send_signal'],
  time: ['clock_gettime', 'clock_getres', 'clock_nanosleep', 'clock_settime', 'gettimeofday', 'settimeofday', 'time', 'nanosleep', 'timer_create', 'timer_settime', 'timer_gettime', 'timer_delete', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime', 'getitimer', 'setitimer', 'adjtimex'],
};

/** The call names of class `c`, or undefined for an unknown class. */
export function classCalls(c: string): readonly string[] | undefined {
  return Object.hasOwn(CALL_CLASSES, c) ? CALL_CLASSES[c] : undefined;
}
