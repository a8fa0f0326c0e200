import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
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
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  [ -n "$1" ] && rm -rf -- "$1"
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
 * when the pipe closes without disarm() (picotrace died), it SIGKILLs every pid still listed and
 * removes `tmpDir`.
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
