/** Normalization profiles: `strict` (the default) and `loose`. */
export type ProfileName = 'strict' | 'loose';

/** The profiles, in the order `--explain-normalization` lists them. */
export const PROFILE_NAMES: readonly ProfileName[] = ['strict', 'loose'];

/** One normalization rule: a stable name, what it does, and the profiles it applies in. */
export interface NormRule {
  name: string;
  description: string;
  profiles: readonly ProfileName[];
}

const BOTH: readonly ProfileName[] = ['strict', 'loose'];

/** Every rule the normalizer applies; `ruleOn` answers whether one is active in a profile. */
export const RULES: readonly NormRule[] = [
  { name: 'tasks-to-ordinals', profiles: BOTH, description: 'pids and tids become tree positions in order of appearance (1, 1.2 = second child of 1); pid arguments and results follow' },
  { name: 'streams-per-task', profiles: BOTH, description: 'each thread is its own stream, so interleaving between threads and processes does not matter' },
  { name: 'set-aside-vdso', profiles: BOTH, description: 'clock_gettime, gettimeofday, time, getcpu and clock_getres (answered by the vDSO natively) are set aside' },
  { name: 'drop-times', profiles: BOTH, description: 'timestamps and durations are dropped' },
  { name: 'fds-to-targets', profiles: BOTH, description: 'fd arguments become what they refer to (the path an openat returned it for, pipe, socket, ...); inherited fds keep their number' },
  { name: 'drop-fd-results', profiles: BOTH, description: 'the number of a new fd (openat, socket, dup, ...) is dropped; what it refers to is kept' },
  { name: 'drop-addresses', profiles: BOTH, description: 'addresses are dropped: mmap, mremap, brk and shmat results and every pointer argument' },
  { name: 'paths-kept', profiles: BOTH, description: 'path arguments (openat, stat, execve, ...) are part of a call\'s identity' },
  { name: 'errno-by-name', profiles: BOTH, description: 'a failed call compares by errno name; how each source printed it does not matter' },
  { name: 'unfinished-as-unknown', profiles: BOTH, description: 'calls that never returned (exit_group, interrupted at exit) compare by name only' },
  { name: 'set-aside-timing', profiles: ['loose'], description: 'futex, sched_yield, nanosleep and clock_nanosleep (how often threads wait depends on scheduling) are set aside' },
  { name: 'set-aside-restarts', profiles: BOTH, description: 'calls cut short by a signal and restarted by the kernel (ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK) are set aside; the restarted call is compared' },
  { name: 'exec-as-event', profiles: BOTH, description: 'a successful execve is compared as its exec event (some sources log no call for the first one); failed ones stay calls' },
  { name: 'lifecycle-events', profiles: BOTH, description: 'exec (program path), signals (name) and exit (status or killing signal) are part of the stream' },
  { name: 'retval-semantic', profiles: ['strict'], description: 'successful return values are compared where they mean something (byte counts, 0, flags); ids, fds, addresses and times are not' },
  { name: 'retval-success-only', profiles: ['loose'], description: 'successful calls compare only as "succeeded"; the value is ignored' },
  { name: 'drop-inode-device', profiles: BOTH, description: 'inode, device, link count and block numbers (st_ino, st_dev, st_rdev, st_nlink, st_blocks, d_ino, makedev(...)) are dropped' },
  { name: 'struct-semantic', profiles: ['strict'], description: 'stat-like results are reduced to mode, size, uid and gid' },
  { name: 'data-prefix', profiles: ['strict'], description: 'data read or written compares by a digest of its first 32 bytes (sources keep different amounts; the byte count is the return value)' },
  { name: 'data-when-both', profiles: ['strict'], description: 'data and structs are compared only when both traces carry them (raw-argument sources do not); bisect does not compare data' },
  { name: 'ignore-random-data', profiles: BOTH, description: 'data from getrandom, /dev/urandom and /dev/random is not compared' },
  { name: 'paths-when-both', profiles: BOTH, description: 'for a call whose path one trace does not carry (raw arguments), paths are left out of that call\'s identity in both' },
  { name: 'ignore-data', profiles: ['loose'], description: 'data read or written and returned structs are not compared' },
];

/** True when rule `name` applies in `profile`. */
export function ruleOn(name: string, profile: ProfileName): boolean {
  const r = RULES.find((x) => x.name === name);
  return !!r && r.profiles.includes(profile);
}
