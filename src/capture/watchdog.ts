import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
dir=$1
pids=" "
armed=1
while read -r op p; do
  case "$op" in
    +) pids="$pids$p " ;;
    -) case "$pids" in *" $p "*) pids="\${pids%% $p *} \${pids#* $p }" ;; esac ;;
    x) armed=0 ;;
  esac
done
if [ "$armed" = 1 ]; then
  # Each listed process's descendants die first: a traced program outlives a killed strace, and
  # those picotrace had not yet heard of are known only as strace's descendants. "pid ppid" of
  # every process, read after the last ')' of /proc/N/stat (the command name may hold any byte).
  map=$(for d in /proc/[0-9]*; do read -r s < "$d/stat" 2>/dev/null || continue; s=\${s##*) }; set -- $s; echo "\${d#/proc/} $2"; done)
  kids() { echo "$map" | while read -r c pp; do [ "$pp" = "$1" ] && { echo "$c"; kids "$c"; }; done; }
  for p in $pids; do
    for c in $(kids "$p"); do kill -KILL "$c" 2>/dev/null; done
    kill -KILL "$p" 2>/dev/null
  done
  [ -n "$dir" ] && rm -rf -- "$dir"
fi
exit 0
`;

/** Kills what a recording started if picotrace itself dies (even by SIGKILL); disarm() when it ends normally. */
export interface Watchdog {
  /** Processes to kill should picotrace die. */
  add(pid: number): void;
  /** A process that has ended (its pid may be reused). */
  remove(pid: number): void;
  /** Picotrace ended normally: the watchdog exits without killing anything. */
  disarm(): void;
}

/**
 * Starts a small guard shell, in its own process group, that reads pids on a pipe from picotrace;
 * when the pipe closes without disarm() (picotrace died), it SIGKILLs every pid still listed, their
 * descendants first, and removes `tmpDir`.
 */
export function startWatchdog(tmpDir = ''): Watchdog {
  let child: ChildProcess | undefined;
  try {
    child = spawn('/bin/sh', ['-c', SCRIPT, 'picotrace-watchdog', tmpDir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    child = undefined;
  }
  const stdin = child?.stdin;
  child?.on('error', () => undefined);
  stdin?.on('error', () => undefined);
  child?.unref();
  (stdin as unknown as { unref?: () => void } | undefined)?.unref?.();
  const send = (line: string): void => {
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    add: (pid) => send(`+ ${pid}`),
    remove: (pid) => send(`- ${pid}`),
    disarm: () => {
      send('x');
      stdin?.end();
    },
  };
}
