import v8 from 'node:v8';

/**
 * Marks the start or the end of a long background pass over a trace (replay's state pass). While it
 * runs, V8 may let the old generation grow by only 10% over what survived the last full collection:
 * by default it lets it grow several times over, and a pass that streams millions of short-lived
 * events then holds hundreds of MB of garbage (10M-event replay: 263 -> about 150 MB peak, at the
 * same pass speed). Afterwards V8's own sizing comes back, so that a jump rarely meets a full
 * collection. This V8 setting is read at every collection, so unlike the heap size limits it takes
 * effect when set at run time.
 */
export function backgroundPass(running: boolean): void {
  if (running === passing) return;
  passing = running;
  v8.setFlagsFromString(running ? '--heap-growing-percent=10' : '--heap-growing-percent=0');
}

let passing = false;
