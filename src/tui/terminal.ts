import type { Navigator } from './navigator.js';
import type { ScreenOptions } from './screen.js';

/** Runs the terminal UI until the user quits; blessed is loaded on this first use, so other commands start without it. */
export async function runScreen(nav: Navigator, opts: ScreenOptions = {}): Promise<void> {
  const screen = await import('./screen.js');
  return screen.runScreen(nav, opts);
}
