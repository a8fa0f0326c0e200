import type protobuf from 'protobufjs';
import { gvType } from './proto.js';

/** What a decoded monitoring message is about; selects how convert.ts handles it. */
export type MessageKind = 'start' | 'clone' | 'exec' | 'exitNotify' | 'taskExit' | 'raw' | 'schema';

/** One row of the message-type table: the header's message_type, its payload type and kind. */
export interface MessageSpec {
  type: number;
  name: string;
  kind: MessageKind;
  decoder: protobuf.Type;
}

const rows: [number, string, MessageKind, string][] = [
  [1, 'container/start', 'start', 'ContainerStart'],
  [2, 'sentry/clone', 'clone', 'CloneInfo'],
  [3, 'sentry/execve', 'exec', 'ExecveInfo'],
  [4, 'sentry/exit_notify_parent', 'exitNotify', 'ExitStatus'],
  [5, 'sentry/task_exit', 'taskExit', 'ExitStatus'],
  [6, 'syscall/sysno', 'raw', 'RawSyscall'],
  [7, 'open', 'schema', 'Open'],
  [8, 'close', 'schema', 'Close'],
  [9, 'read', 'schema', 'ReadWrite'],
  [10, 'connect', 'schema', 'SockAddr'],
  [11, 'execve', 'schema', 'Execve'],
  [12, 'socket', 'schema', 'Socket'],
  [13, 'chdir', 'schema', 'Chdir'],
  [14, 'setid', 'schema', 'SyscallCommon'],
  [15, 'setresid', 'schema', 'SyscallCommon'],
  [16, 'prlimit64', 'schema', 'SyscallCommon'],
  [17, 'pipe', 'schema', 'Pipe'],
  [18, 'fcntl', 'schema', 'Fcntl'],
  [19, 'dup', 'schema', 'Dup'],
  [20, 'signalfd', 'schema', 'FdPath'],
  [21, 'chroot', 'schema', 'Chroot'],
  [22, 'eventfd', 'schema', 'SyscallCommon'],
  [23, 'clone', 'schema', 'Clone'],
  [24, 'bind', 'schema', 'SockAddr'],
  [25, 'accept', 'schema', 'Accept'],
  [26, 'timerfd_create', 'schema', 'SyscallCommon'],
  [27, 'timerfd_settime', 'schema', 'FdPath'],
  [28, 'timerfd_gettime', 'schema', 'FdPath'],
  [29, 'fork', 'schema', 'SyscallCommon'],
  [30, 'inotify_init', 'schema', 'SyscallCommon'],
  [31, 'inotify_add_watch', 'schema', 'InotifyAddWatch'],
  [32, 'inotify_rm_watch', 'schema', 'FdPath'],
  [33, 'socketpair', 'schema', 'SyscallCommon'],
  [34, 'write', 'schema', 'ReadWrite'],
];

/** The header message_type table of runsc release-20221219, indexed by type number. */
export const MESSAGE_TYPES: ReadonlyMap<number, MessageSpec> = new Map(rows.map(([type, name, kind, t]) => [type, { type, name, kind, decoder: gvType(t) }]));

/**
 * Schematized points picotrace enables, by point name (syscall/NAME/enter|exit), with the phase that
 * carries what the raw point lacks: paths are read at entry; the fds pipe creates through memory only
 * at exit. Calls on fds get their paths from the converter's fd table instead of gVisor's fd_path
 * (enabling fd_path on read/write/close costs the Sentry ~50 % more time on I/O-heavy runs).
 */
export const SCHEMATIZED_POINTS: ReadonlyArray<{ name: string; enter: boolean; exit: boolean; fdPath: boolean }> = [
  ...['open', 'creat', 'execve', 'chdir', 'chroot'].map((name) => ({ name, enter: true, exit: false, fdPath: false })),
  ...['openat', 'execveat', 'fchdir', 'connect', 'bind', 'inotify_add_watch'].map((name) => ({ name, enter: true, exit: false, fdPath: true })),
  ...['pipe', 'pipe2'].map((name) => ({ name, enter: false, exit: true, fdPath: false })),
];
