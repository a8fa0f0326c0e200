import blessed from 'blessed';
import { PicoError } from '../util/errors.js';
import { backgroundPass } from '../util/heap.js';
import { parseCommand } from './commands.js';
import { KEY_BINDINGS, helpLines, type KeyBinding } from './keys.js';
import { fdsOf } from './match.js';
import type { Job, Navigator } from './navigator.js';
import { detailLines, listWindow, stateLines, statusLine } from './panes.js';

/** Options of the terminal UI. */
export interface ScreenOptions {
  /** Events the background state pass folds per slice. */
  indexSlice?: number;
  /** A message for the status line at start. */
  message?: string;
  /** Called once when the background state pass has folded the whole trace. */
  onIndexed?: () => void;
}

const LAYOUTS = ['both', 'detail', 'state'] as const;
const JOB_SLICE_MS = 25;
const FAR = 16_384;
const INDEX_SLICE_MS = 15;

function clip(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}>` : line;
}

function keyIndex(): Map<string, KeyBinding> {
  const m = new Map<string, KeyBinding>();
  for (const b of KEY_BINDINGS) for (const k of b.keys) m.set(k, b);
  return m;
}

/**
 * Runs the step-through debugger on a terminal until the user quits; resolves then. Reads only the
 * events on screen; long scans run in slices (Esc cancels); the state index is built in the background.
 */
export function runScreen(nav: Navigator, opts: ScreenOptions = {}): Promise<void> {
  const screen = blessed.screen({ smartCSR: true, fullUnicode: false, title: 'picotrace replay', warnings: false, autoPadding: false });
  const list = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 10, tags: true, wrap: false });
  const detailTitle = blessed.box({ parent: screen, left: 0, height: 1, tags: false, style: { inverse: true } });
  const detail = blessed.box({ parent: screen, left: 0, tags: false, wrap: false, scrollable: true, alwaysScroll: true });
  const stateTitle = blessed.box({ parent: screen, height: 1, tags: false, style: { inverse: true } });
  const state = blessed.box({ parent: screen, tags: false, wrap: false, scrollable: true, alwaysScroll: true });
  const status = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: false, style: { inverse: true } });
  const help = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', hidden: true, scrollable: true, tags: false });

  const keys = keyIndex();
  let top = 0;
  let layout = 0;
  let message = opts.message ?? '';
  let prompt: { label: string; text: string; submit: (s: string) => void } | undefined;
  let job: { gen: Job; what: string; progress: number } | undefined;
  let lastDetailSeq = -1;
  let lastStateKey = '';
  let indexTimer: NodeJS.Timeout | undefined;
  let finished = false;

  const layoutBoxes = () => {
    const rows = Math.max(6, screen.rows as number);
    const cols = Math.max(20, screen.cols as number);
    const listH = Math.max(3, Math.floor((rows - 1) * 0.45));
    const paneTop = listH;
    const paneH = Math.max(1, rows - 1 - listH - 1);
    list.height = listH;
    nav.page = Math.max(1, listH - 1);
    const mode = LAYOUTS[layout];
    const half = Math.floor(cols / 2);
    const dW = mode === 'both' ? half : mode === 'detail' ? cols : 0;
    const sW = cols - dW;
    for (const [title, box, left, w] of [
      [detailTitle, detail, 0, dW],
      [stateTitle, state, dW, sW],
    ] as const) {
      title.top = paneTop;
      box.top = paneTop + 1;
      title.left = left;
      box.left = left;
      title.width = Math.max(1, w);
      box.width = Math.max(1, w);
      box.height = paneH;
      if (w === 0) {
        title.hide();
        box.hide();
      } else {
        title.show();
        box.show();
      }
    }
    return { cols, listH, dW, sW };
  };

  const render = () => {
    const { cols, listH, dW, sW } = layoutBoxes();
    if (nav.count === 0) {
      list.setContent('(empty trace)');
    } else {
      const w = listWindow(nav, top, listH, cols);
      top = w.top;
      list.setContent(w.lines.map((l, i) => (i === w.cursorRow ? `{inverse}${blessed.escape(`>${l.slice(1)}`.padEnd(cols))}{/inverse}` : blessed.escape(l))).join('\n'));
    }
    if (!nav.empty) {
      const ev = nav.current();
      if (ev.seq !== lastDetailSeq) {
        detail.setContent(detailLines(ev, nav.reader.header).map((l) => clip(l, Math.max(1, dW))).join('\n'));
        detail.setScrollPerc(0);
        lastDetailSeq = ev.seq;
      }
      detailTitle.setContent(clip(` detail #${ev.seq}`, Math.max(1, dW)));
      const far = !nav.states.complete && nav.states.distance(ev.seq + 1) > FAR;
      const key = far ? `far:${ev.seq}` : `${ev.seq}`;
      if (key !== lastStateKey) {
        const lines = far
          ? [`computing the state at #${ev.seq}: indexing ${Math.floor((100 * nav.states.progress().done) / Math.max(1, nav.count))}% ...`]
          : stateLines(nav.state(), ev.pid, `after #${ev.seq}`);
        state.setContent(lines.map((l) => clip(l, Math.max(1, sW))).join('\n'));
        if (!far) state.setScrollPerc(0);
        lastStateKey = key;
      }
      stateTitle.setContent(clip(` state after #${ev.seq} (pid ${ev.pid})`, Math.max(1, sW)));
    }
    let line: string;
    if (prompt) line = `${prompt.label}: ${prompt.text}_`;
    else if (job) line = `${job.what}... at #${job.progress} (${Math.floor((100 * job.progress) / Math.max(1, nav.count))}%)  Esc cancels`;
    else line = statusLine(nav, message || nav.damage(), true);
    status.setContent(clip(line, cols));
    screen.render();
    if (!job) setImmediate(() => !finished && !job && nav.count > 0 && nav.prefetch());
  };

  const runJob = (gen: Job, what: string) => {
    job = { gen, what, progress: nav.cursor };
    const tick = () => {
      if (!job || job.gen !== gen) return;
      const until = Date.now() + JOB_SLICE_MS;
      try {
        for (;;) {
          const r = gen.next();
          if (r.done) {
            job = undefined;
            message = r.value.message ?? (r.value.ok ? '' : 'not found');
            render();
            scheduleIndex();
            return;
          }
          job.progress = r.value;
          if (Date.now() >= until) break;
        }
      } catch (err) {
        job = undefined;
        if (!(err instanceof PicoError)) throw err;
        message = err.message;
        render();
        return;
      }
      render();
      setImmediate(tick);
    };
    tick();
  };

  const runCommand = (text: string) => {
    try {
      const { def, arg } = parseCommand(text);
      message = '';
      runJob(def.run(nav, arg), def.name);
    } catch (err) {
      if (!(err instanceof PicoError)) throw err;
      message = err.message;
      render();
    }
  };

  const fallbackOf = (kind: 'path' | 'fd' | undefined): string => {
    if (!kind || nav.empty) return '';
    const ev = nav.current();
    if (ev.kind !== 'call') return '';
    if (kind === 'fd') return String(fdsOf(ev)[0] ?? '');
    for (const a of ev.args) {
      if (a.k === 'str') return typeof a.v === 'string' ? a.v : Buffer.from(a.v).toString('utf8');
      if (a.k === 'fd' && a.path) return a.path;
    }
    return ev.retAnnotation ?? '';
  };

  const openPrompt = (label: string, submit: (s: string) => void) => {
    prompt = { label, text: '', submit };
    render();
  };

  const scheduleIndex = () => {
    if (indexTimer || finished || nav.states.complete) return;
    indexTimer = setTimeout(() => {
      indexTimer = undefined;
      if (finished || job || prompt) {
        if (!finished && !nav.states.complete) scheduleIndex();
        return;
      }
      const before = nav.states.distance(nav.cursor + 1);
      const until = Date.now() + INDEX_SLICE_MS;
      backgroundPass(true);
      do nav.states.advance(opts.indexSlice ?? 1024);
      while (Date.now() < until && !nav.states.complete);
      if (nav.states.complete) {
        backgroundPass(false);
        opts.onIndexed?.();
      }
      if (before > FAR || nav.states.complete || Math.random() < 0.05) {
        lastStateKey = '';
        render();
      }
      scheduleIndex();
    }, 0);
  };

  return new Promise<void>((resolve) => {
    const quit = () => {
      finished = true;
      if (indexTimer) clearTimeout(indexTimer);
      screen.destroy();
      resolve();
    };

    screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) => {
      const full = key?.full ?? '';
      if (!help.hidden) {
        help.hide();
        render();
        return;
      }
      if (prompt) {
        const p = prompt;
        if (full === 'enter' || full === 'return') {
          prompt = undefined;
          p.submit(p.text);
        } else if (full === 'escape' || full === 'C-c') {
          prompt = undefined;
          message = '';
          render();
        } else if (full === 'backspace') {
          p.text = p.text.slice(0, -1);
          render();
        } else if (ch && ch >= ' ' && ch.length === 1) {
          p.text += ch;
          render();
        }
        return;
      }
      if (job) {
        if (full === 'escape' || full === 'C-c' || ch === 'q') {
          job = undefined;
          message = 'cancelled';
          render();
        }
        return;
      }
      const b = (ch && ch.length === 1 && ch > ' ' ? keys.get(ch) : undefined) ?? keys.get(full);
      if (!b) return;
      if (b.command) return runCommand(b.command);
      if (b.prompt) {
        const pr = b.prompt;
        const dflt = fallbackOf(pr.fallback);
        openPrompt(dflt ? `${pr.label} [${dflt}]` : pr.label, (s) => {
          const arg = s.trim() || dflt;
          if (!arg && pr.command !== 'filter') {
            render();
            return;
          }
          runCommand(`${pr.command} ${arg}`);
        });
        return;
      }
      switch (b.action) {
        case 'quit':
          return quit();
        case 'help':
          help.setContent(['picotrace replay: keys (any key closes)', ...helpLines(screen.cols as number)].join('\n'));
          help.show();
          help.setFront();
          screen.render();
          return;
        case 'layout':
          layout = (layout + 1) % LAYOUTS.length;
          lastDetailSeq = -1;
          lastStateKey = '';
          render();
          return;
        case 'detail-up':
        case 'detail-down':
        case 'state-up':
        case 'state-down': {
          const box = b.action.startsWith('detail') ? detail : state;
          box.scroll((b.action.endsWith('up') ? -1 : 1) * Math.max(1, Math.floor((box.height as number) / 2)));
          screen.render();
          return;
        }
        case 'prompt':
          openPrompt(':', (s) => (s.trim() ? runCommand(s) : render()));
          return;
      }
    });
    screen.on('resize', () => {
      lastDetailSeq = -1;
      lastStateKey = '';
      render();
    });
    render();
    scheduleIndex();
  });
}
