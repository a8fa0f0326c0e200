const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const cleanups = new Set<() => void>();
let installed = false;

function runCleanups(): void {
  for (const c of [...cleanups]) {
    cleanups.delete(c);
    try {
      c();
    } catch {
      /* a cleanup that fails must not stop the others */
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  runCleanups();
  uninstall();
  process.kill(process.pid, sig);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', runCleanups);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', runCleanups);
}

/**
 * Runs `cleanup` (synchronously) if the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits before
 * the returned function is called; after an interrupting signal the signal is re-raised with its default
 * action, so the exit status says how the process ended. The returned function unregisters the cleanup.
 */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
