/**
 * Per-call facts normalization needs, keyed by call name: which arguments are paths, fds or pids, what
 * a successful return value means, which calls create fds. Each source fills args or rawArgs; these
 * tables are the one place that says where to look.
 */

/** Argument positions that hold a path name. */
export const PATH_ARGS: Readonly<Record<string, readonly number[]>> = {
  open: [0], creat: [0], openat: [1], openat2: [1], stat: [0], lstat: [0], newfstatat: [1], fstatat64: [1],
  statx: [1], access: [0], faccessat: [1], faccessat2: [1], execve: [0], execveat: [1], readlink: [0],
  readlinkat: [1], unlink: [0], unlinkat: [1], mkdir: [0], mkdirat: [1], rmdir: [0], rename: [0, 1],
  renameat: [1, 3], renameat2: [1, 3], chdir: [0], chroot: [0], chmod: [0], fchmodat: [1], chown: [0],
  lchown: [0], fchownat: [1], link: [0, 1], linkat: [1, 3], symlink: [0, 1], symlinkat: [0, 2],
  truncate: [0], utimensat: [1], utime: [0], utimes: [0], futimesat: [1], statfs: [0], mknod: [0],
  mknodat: [1], getxattr: [0], lgetxattr: [0], setxattr: [0], lsetxattr: [0], listxattr: [0],
  llistxattr: [0], removexattr: [0], lremovexattr: [0], inotify_add_watch: [1], mount: [0, 1], umount2: [0],
  name_to_handle_at: [1], swapon: [0], swapoff: [0], acct: [0], pivot_root: [0, 1], uselib: [0],
};

/** Argument positions that hold a file descriptor. */
export const FD_ARGS: Readonly<Record<string, readonly number[]>> = {
  read: [0], write: [0], pread64: [0], pwrite64: [0], readv: [0], writev: [0], preadv: [0], pwritev: [0],
  preadv2: [0], pwritev2: [0], close: [0], fstat: [0], lseek: [0], ioctl: [0], fcntl: [0], flock: [0],
  fsync: [0], fdatasync: [0], ftruncate: [0], fchdir: [0], fchmod: [0], fchown: [0], fstatfs: [0],
  getdents: [0], getdents64: [0], mmap: [4], dup: [0], dup2: [0], dup3: [0], openat: [0], openat2: [0],
  newfstatat: [0], statx: [0], faccessat: [0], faccessat2: [0], readlinkat: [0], unlinkat: [0], mkdirat: [0],
  fchmodat: [0], fchownat: [0], renameat: [0, 2], renameat2: [0, 2], linkat: [0, 2], symlinkat: [1],
  utimensat: [0], mknodat: [0], execveat: [0], sendfile: [0, 1], splice: [0, 2], tee: [0, 1],
  copy_file_range: [0, 2], fadvise64: [0], fallocate: [0], sync_file_range: [0], syncfs: [0],
  connect: [0], bind: [0], listen: [0], accept: [0], accept4: [0], sendto: [0], recvfrom: [0],
  sendmsg: [0], recvmsg: [0], sendmmsg: [0], recvmmsg: [0], shutdown: [0], getsockname: [0],
  getpeername: [0], setsockopt: [0], getsockopt: [0], epoll_ctl: [0, 2], epoll_wait: [0],
  epoll_pwait: [0], epoll_pwait2: [0], fgetxattr: [0], fsetxattr: [0], flistxattr: [0], fremovexattr: [0],
  inotify_add_watch: [0], inotify_rm_watch: [0], timerfd_settime: [0], timerfd_gettime: [0],
  signalfd: [0], signalfd4: [0], readahead: [0], name_to_handle_at: [0], open_by_handle_at: [0],
  fanotify_mark: [0], vmsplice: [0], io_uring_enter: [0],
  io_uring_register: [0], pidfd_send_signal: [0], pidfd_getfd: [0]
};

/** Argument positions that hold a pid or tid (normalized to the task's ordinal path when known). */
export const PID_ARGS: Readonly<Record<string, readonly number[]>> = {
  kill: [0], tkill: [0], tgkill: [0, 1], wait4: [0], waitpid: [0], waitid: [1], setpgid: [0, 1],
  getpgid: [0], getsid: [0], sched_setaffinity: [0], sched_getaffinity: [0], sched_setscheduler: [0],
  sched_getscheduler: [0], sched_setparam: [0], sched_getparam: [0], prlimit64: [0], ptrace: [1],
  process_vm_readv: [0], process_vm_writev: [0], pidfd_open: [0], rt_sigqueueinfo: [0],
  rt_tgsigqueueinfo: [0, 1], get_robust_list: [0], sched_setattr: [0], sched_getattr: [0], ioprio_get: [1],
  ioprio_set: [1], kcmp: [0, 1], migrate_pages: [0], move_pages: [0],
};

/** What a successful return value means; calls not listed return a semantic value kept as is. */
export type RetKind = 'fd' | 'addr' | 'pid' | 'self' | 'parent' | 'none' | 'time';

/** The meaning of each call's successful return value where it is not a plain semantic number. */
export const RET_KIND: Readonly<Record<string, RetKind>> = {
  open: 'fd', openat: 'fd', openat2: 'fd', creat: 'fd', dup: 'fd', dup2: 'fd', dup3: 'fd', socket: 'fd',
  accept: 'fd', accept4: 'fd', epoll_create: 'fd', epoll_create1: 'fd', eventfd: 'fd', eventfd2: 'fd',
  signalfd: 'fd', signalfd4: 'fd', timerfd_create: 'fd', inotify_init: 'fd', inotify_init1: 'fd',
  memfd_create: 'fd', fanotify_init: 'fd', userfaultfd: 'fd', perf_event_open: 'fd', pidfd_open: 'fd',
  pidfd_getfd: 'fd', open_by_handle_at: 'fd', io_uring_setup: 'fd', bpf: 'fd', open_tree: 'fd', fsopen: 'fd',
  mmap: 'addr', mremap: 'addr', brk: 'addr', shmat: 'addr', sbrk: 'addr',
  clone: 'pid', clone3: 'pid', fork: 'pid', vfork: 'pid', wait4: 'pid', waitpid: 'pid',
  rt_sigreturn: 'none', getpid: 'self', gettid: 'self', set_tid_address: 'self', getppid: 'parent', getpgrp: 'none', getpgid: 'none',
  getsid: 'none', setsid: 'none', times: 'time', getrandom: 'none', getuid: 'none', geteuid: 'none',
  getgid: 'none', getegid: 'none', inotify_add_watch: 'none', shmget: 'none', semget: 'none', msgget: 'none',
  timer_create: 'none', io_setup: 'none', lseek: 'none', sched_getaffinity: 'none',
};

/** What a new fd made by a call refers to, when the call takes no path ("pipe", "socket", ...). */
export const FD_TARGET_OF: Readonly<Record<string, string>> = {
  socket: 'socket', accept: 'socket:accepted', accept4: 'socket:accepted', epoll_create: 'epoll',
  epoll_create1: 'epoll', eventfd: 'eventfd', eventfd2: 'eventfd', signalfd: 'signalfd', signalfd4: 'signalfd',
  timerfd_create: 'timerfd', inotify_init: 'inotify', inotify_init1: 'inotify', memfd_create: 'memfd',
  fanotify_init: 'fanotify', userfaultfd: 'userfaultfd', perf_event_open: 'perf_event', pidfd_open: 'pidfd',
  io_uring_setup: 'io_uring', bpf: 'bpf', pipe: 'pipe', pipe2: 'pipe', socketpair: 'socketpair',
};

/** Calls that return two new fds through an array in argument 0 (or 3 for socketpair). */
export const FD_PAIR_ARG: Readonly<Record<string, number>> = { pipe: 0, pipe2: 0, socketpair: 3 };

/** Calls that copy an fd: [source arg, destination arg or -1 for the return value]. */
export const FD_DUP: Readonly<Record<string, readonly [number, number]>> = { dup: [0, -1], dup2: [0, 1], dup3: [0, 1] };

/** Calls that the vDSO answers without entering the kernel: native ptrace does not see them, some library OSes do. */
export const VDSO_CALLS: ReadonlySet<string> = new Set(['clock_gettime', 'gettimeofday', 'time', 'getcpu', 'clock_getres']);

/** Struct fields kept when a struct is compared, per profile; every other field is dropped. */
export const STAT_FIELDS_STRICT: ReadonlySet<string> = new Set(['st_mode', 'st_size', 'stx_mode', 'stx_size', 'st_uid', 'st_gid', 'stx_uid', 'stx_gid']);

/** Struct fields that are inode or device numbers, dropped everywhere. */
export const INODE_DEVICE_FIELDS: ReadonlySet<string> = new Set([
  'st_dev', 'st_ino', 'st_rdev', 'st_nlink', 'stx_ino', 'stx_dev_major', 'stx_dev_minor', 'stx_rdev_major',
  'stx_rdev_minor', 'stx_nlink', 'd_ino', 'd_off', 'st_blksize', 'st_blocks', 'stx_blksize', 'stx_blocks',
]);
