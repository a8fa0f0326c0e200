/** Flag and constant tables (x86_64 Linux) the reducer uses to read decoded names and raw bits alike. */
import { CLONE_FLAG_BITS } from '../model/index.js';

/** open(2) flag bits by name. */
export const OPEN_FLAGS: Readonly<Record<string, number>> = {
  O_RDONLY: 0,
  O_WRONLY: 0o1,
  O_RDWR: 0o2,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_DSYNC: 0o10000,
  O_ASYNC: 0o20000,
  O_DIRECT: 0o40000,
  O_LARGEFILE: 0o100000,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000,
  O_PATH: 0o10000000,
  O_TMPFILE: 0o20200000,
};

/** O_APPEND, recorded in the fd table. */
export const O_APPEND = 0o2000;
/** O_CLOEXEC, recorded in the fd table. */
export const O_CLOEXEC = 0o2000000;
/** Mask of the access mode (O_RDONLY, O_WRONLY, O_RDWR). */
export const O_ACCMODE = 0o3;

/** clone(2) flag bits by name that fit 32 bits (the flags register of clone; clone3's two higher bits are left out). */
export const CLONE_FLAGS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(CLONE_FLAG_BITS).filter(([, bit]) => bit <= 0xffffffff));
/** Shares the address space. */
export const CLONE_VM = 0x100;
/** Shares cwd and umask (not modelled between processes). */
export const CLONE_FS = 0x200;
/** Shares the fd table. */
export const CLONE_FILES = 0x400;
/** Shares signal handlers. */
export const CLONE_SIGHAND = 0x800;
/** The parent waits until the child execs or exits (vfork). */
export const CLONE_VFORK = 0x4000;
/** The child is a thread of the caller's process. */
export const CLONE_THREAD = 0x10000;

/** mmap(2) prot bits by name. */
export const PROT_FLAGS: Readonly<Record<string, number>> = { PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4, PROT_SEM: 8, PROT_GROWSDOWN: 0x01000000, PROT_GROWSUP: 0x02000000 };

/** mmap(2) flag bits by name. */
export const MAP_FLAGS: Readonly<Record<string, number>> = {
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_SHARED_VALIDATE: 0x03,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_ANON: 0x20,
  MAP_GROWSDOWN: 0x100,
  MAP_DENYWRITE: 0x800,
  MAP_EXECUTABLE: 0x1000,
  MAP_LOCKED: 0x2000,
  MAP_NORESERVE: 0x4000,
  MAP_POPULATE: 0x8000,
  MAP_NONBLOCK: 0x10000,
  MAP_STACK: 0x20000,
  MAP_HUGETLB: 0x40000,
  MAP_SYNC: 0x80000,
  MAP_FIXED_NOREPLACE: 0x100000,
};
/** A shared mapping. */
export const MAP_SHARED = 0x01;
/** A mapping backed by no file. */
export const MAP_ANONYMOUS = 0x20;

/** mremap(2) flag bits by name. */
export const MREMAP_FLAGS: Readonly<Record<string, number>> = { MREMAP_MAYMOVE: 1, MREMAP_FIXED: 2, MREMAP_DONTUNMAP: 4 };

/** fcntl(2) commands by name. */
export const FCNTL_CMDS: Readonly<Record<string, number>> = {
  F_DUPFD: 0,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  F_DUPFD_CLOEXEC: 1030,
};
/** FD_CLOEXEC, the one fd flag. */
export const FD_CLOEXEC_FLAGS: Readonly<Record<string, number>> = { FD_CLOEXEC: 1 };

/** close_range(2) flags by name. */
export const CLOSE_RANGE_FLAGS: Readonly<Record<string, number>> = { CLOSE_RANGE_UNSHARE: 2, CLOSE_RANGE_CLOEXEC: 4 };

/** Flags of the fd-creating calls that take them (pipe2, socket types, eventfd2, ...), mapped to O_CLOEXEC and O_NONBLOCK. */
export const CREATE_FLAGS: Readonly<Record<string, number>> = {
  O_CLOEXEC,
  O_NONBLOCK: 0o4000,
  O_DIRECT: 0o40000,
  SOCK_CLOEXEC: O_CLOEXEC,
  SOCK_NONBLOCK: 0o4000,
  EFD_CLOEXEC: O_CLOEXEC,
  EFD_NONBLOCK: 0o4000,
  EFD_SEMAPHORE: 1,
  EPOLL_CLOEXEC: O_CLOEXEC,
  SFD_CLOEXEC: O_CLOEXEC,
  SFD_NONBLOCK: 0o4000,
  TFD_CLOEXEC: O_CLOEXEC,
  TFD_NONBLOCK: 0o4000,
  IN_CLOEXEC: O_CLOEXEC,
  IN_NONBLOCK: 0o4000,
  MFD_CLOEXEC: 1,
  MFD_ALLOW_SEALING: 2,
  PIDFD_NONBLOCK: 0o4000,
  FAN_CLOEXEC: 1,
  UFFD_CLOEXEC: O_CLOEXEC,
};

/** How each fd-creating call is read: the kind of object, where its flags are, which bit of them means close-on-exec. */
export interface FdMaker {
  kind: string;
  /** Index of the flags argument, or -1. */
  flagsArg: number;
  cloexecBit: number;
  /** Index of the argument naming the object (memfd name), or -1. */
  nameArg?: number;
}

/** Calls that return one new fd (beyond open/openat/dup, which have their own rules). */
export const FD_MAKERS: Readonly<Record<string, FdMaker>> = {
  socket: { kind: 'socket', flagsArg: 1, cloexecBit: O_CLOEXEC },
  accept: { kind: 'socket', flagsArg: -1, cloexecBit: 0 },
  accept4: { kind: 'socket', flagsArg: 3, cloexecBit: O_CLOEXEC },
  eventfd: { kind: 'eventfd', flagsArg: -1, cloexecBit: 0 },
  eventfd2: { kind: 'eventfd', flagsArg: 1, cloexecBit: O_CLOEXEC },
  epoll_create: { kind: 'epoll', flagsArg: -1, cloexecBit: 0 },
  epoll_create1: { kind: 'epoll', flagsArg: 0, cloexecBit: O_CLOEXEC },
  signalfd: { kind: 'signalfd', flagsArg: -1, cloexecBit: 0 },
  signalfd4: { kind: 'signalfd', flagsArg: 3, cloexecBit: O_CLOEXEC },
  timerfd_create: { kind: 'timerfd', flagsArg: 1, cloexecBit: O_CLOEXEC },
  inotify_init: { kind: 'inotify', flagsArg: -1, cloexecBit: 0 },
  inotify_init1: { kind: 'inotify', flagsArg: 0, cloexecBit: O_CLOEXEC },
  fanotify_init: { kind: 'fanotify', flagsArg: 0, cloexecBit: 1 },
  memfd_create: { kind: 'memfd', flagsArg: 1, cloexecBit: 1, nameArg: 0 },
  memfd_secret: { kind: 'memfd', flagsArg: 0, cloexecBit: O_CLOEXEC },
  userfaultfd: { kind: 'userfaultfd', flagsArg: 0, cloexecBit: O_CLOEXEC },
  pidfd_open: { kind: 'pidfd', flagsArg: -1, cloexecBit: 0 },
  pidfd_getfd: { kind: 'file', flagsArg: -1, cloexecBit: 0 },
  perf_event_open: { kind: 'perf_event', flagsArg: 4, cloexecBit: 8 },
  bpf: { kind: 'bpf', flagsArg: -1, cloexecBit: 0 },
  io_uring_setup: { kind: 'io_uring', flagsArg: -1, cloexecBit: 0 },
  open_tree: { kind: 'file', flagsArg: 2, cloexecBit: O_CLOEXEC },
  fsopen: { kind: 'fs_context', flagsArg: 1, cloexecBit: 1 },
  fsmount: { kind: 'mount', flagsArg: 1, cloexecBit: 1 },
  fspick: { kind: 'fs_context', flagsArg: 2, cloexecBit: 1 },
  landlock_create_ruleset: { kind: 'landlock', flagsArg: -1, cloexecBit: 0 },
};

/** Calls whose first argument is an fd they act on (used when only raw registers are known). */
export const FD_ARG0_CALLS: ReadonlySet<string> = new Set([
  'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'close', 'fstat', 'lseek',
  'ioctl', 'fcntl', 'fsync', 'fdatasync', 'ftruncate', 'getdents', 'getdents64', 'fchdir', 'fchmod', 'fchown', 'flock', 'dup', 'dup2', 'dup3',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'shutdown', 'bind', 'listen', 'connect', 'accept', 'accept4',
  'getsockname', 'getpeername', 'setsockopt', 'getsockopt', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'fgetxattr',
  'fsetxattr', 'flistxattr', 'fremovexattr', 'fstatfs', 'fadvise64', 'fallocate', 'readahead', 'sync_file_range', 'syncfs',
  'inotify_add_watch', 'inotify_rm_watch', 'timerfd_settime', 'timerfd_gettime', 'openat', 'openat2', 'newfstatat', 'statx', 'mkdirat',
  'unlinkat', 'fchmodat', 'fchownat', 'faccessat', 'faccessat2', 'readlinkat', 'mknodat', 'utimensat', 'execveat', 'splice', 'tee',
  'vmsplice', 'sendfile', 'copy_file_range', 'io_uring_enter', 'io_uring_register', 'pidfd_send_signal', 'pidfd_getfd',
]);
