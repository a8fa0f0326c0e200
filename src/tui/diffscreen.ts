import blessed from 'blessed';
import type { DiffNavigator } from './diffview.js';

/** Keys of the side-by-side diff screen, in the order the help line lists them. */
export const DIFF_KEYS: readonly { keys: string[]; help: string }[] = [
  { keys: ['n'], help: 'next divergence' },
  { keys: ['N', 'p'], help: 'previous divergence' },
  { keys: ['j', 'down'], help: 'down' },
  { keys: ['k', 'up'], help: 'up' },
  { keys: ['space', 'pagedown'], help: 'page down' },
  { keys: ['pageup'], help: 'page up' },
  { keys: ['g', 'home'], help: 'top' },
  { keys: ['G', 'end'], help: 'bottom' },
  { keys: ['q', 'C-c'], help: 'quit' },
];

/** Shows two aligned traces side by side on the terminal, divergences highlighted; resolves when the user quits. */
export function runDiffScreen(nav: DiffNavigator, titles: { a: string; b: string }): Promise<void> {
  const screen = blessed.screen({ smartCSR: true, fullUnicode: false, title: 'picotrace replay --diff', warnings: false, autoPadding: false });
  const head = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: false, style: { inverse: true } });
  const body = blessed.box({ parent: screen, top: 1, left: 0, width: '100%', tags: true, wrap: false });
  const status = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: false, style: { inverse: true } });
  let top = 0;
  let message = nav.divergences ? 'n: next divergence, N: previous, q: quit' : 'no divergences';

  const render = () => {
    const cols = Math.max(20, screen.cols as number);
    const rows = Math.max(3, (screen.rows as number) - 2);
    body.height = rows;
    const half = Math.max(10, Math.floor((cols - 5) / 2));
    head.setContent(`  A: ${titles.a}`.slice(0, half + 3).padEnd(half + 4) + ` B: ${titles.b}`.slice(0, cols - half - 4));
    const w = nav.window(top, rows);
    top = w.top;
    const lines = nav.lines(w.rows, cols).map((l, i) => {
      const r = w.rows[i];
      const row = nav.row(r);
      const text = blessed.escape(l);
      if (r === nav.cursor) return `{inverse}${text}{/inverse}`;
      if (row.div) return `{red-fg}${text}{/red-fg}`;
      return text;
    });
    body.setContent(lines.join('\n'));
    const row = nav.row(nav.cursor);
    const where = `row ${nav.cursor + 1}/${nav.total}  divergence ${nav.divergenceOrdinal()}/${nav.divergences}`;
    status.setContent(`${where}  ${row.div ? nav.describe(row) : message}`.slice(0, cols));
    screen.render();
  };

  return new Promise<void>((resolve) => {
    const page = () => Math.max(1, (body.height as number) - 1);
    screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) => {
      const k = ch && ch.length === 1 && ch > ' ' ? ch : (key?.full ?? '');
      switch (k) {
        case 'q':
        case 'C-c':
          screen.destroy();
          resolve();
          return;
        case 'n':
          message = nav.nextDivergence() ? '' : 'no later divergence';
          break;
        case 'N':
        case 'p':
          message = nav.prevDivergence() ? '' : 'no earlier divergence';
          break;
        case 'j':
        case 'down':
          nav.move(1);
          break;
        case 'k':
        case 'up':
          nav.move(-1);
          break;
        case 'space':
        case 'pagedown':
          nav.move(page());
          break;
        case 'pageup':
          nav.move(-page());
          break;
        case 'g':
        case 'home':
          nav.move(-nav.total);
          break;
        case 'G':
        case 'end':
          nav.move(nav.total);
          break;
        default:
          return;
      }
      render();
    });
    screen.on('resize', render);
    nav.firstDivergence();
    render();
  });
}
