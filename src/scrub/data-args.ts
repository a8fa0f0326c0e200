/** Where a call carries data (not names or paths): the argument index and whether the data flows out of the kernel. */
export interface DataArg {
  index: number;
  out: boolean;
}

const outAt = (index: number): DataArg => ({ index, out: true });
const inAt = (index: number): DataArg => ({ index, out: false });

/**
 * Arguments that hold file, socket or message contents, per call name. Every string inside such an
 * argument (iovec elements, msghdr fields included) is data that scrub replaces by its digest.
 */
export const DATA_ARGS: Readonly<Record<string, readonly DataArg[]>> = {
  read: [outAt(1)],
  pread64: [outAt(1)],
  pread: [outAt(1)],
  readv: [outAt(1)],
  preadv: [outAt(1)],
  preadv2: [outAt(1)],
  recv: [outAt(1)],
  recvfrom: [outAt(1)],
  recvmsg: [outAt(1)],
  recvmmsg: [outAt(1)],
  mq_timedreceive: [outAt(1)],
  msgrcv: [outAt(1)],
  getrandom: [outAt(0)],
  getxattr: [outAt(2)],
  lgetxattr: [outAt(2)],
  fgetxattr: [outAt(2)],
  process_vm_readv: [outAt(1), outAt(3)],
  write: [inAt(1)],
  pwrite64: [inAt(1)],
  pwrite: [inAt(1)],
  writev: [inAt(1)],
  pwritev: [inAt(1)],
  pwritev2: [inAt(1)],
  send: [inAt(1)],
  sendto: [inAt(1)],
  sendmsg: [inAt(1)],
  sendmmsg: [inAt(1)],
  mq_timedsend: [inAt(1)],
  msgsnd: [inAt(1)],
  setxattr: [inAt(2)],
  lsetxattr: [inAt(2)],
  fsetxattr: [inAt(2)],
  add_key: [inAt(2)],
  vmsplice: [inAt(1)],
  process_vm_writev: [inAt(1), inAt(3)],
};

/** Arguments that hold an environment (an array of `NAME=value` strings), per call name. */
export const ENV_ARGS: Readonly<Record<string, number>> = {
  execve: 2,
  execveat: 3,
};
