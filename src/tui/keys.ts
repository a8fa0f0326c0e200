/** One key binding: the keys (blessed key names or typed characters), what it does, and how. */
export interface KeyBinding {
  keys: string[];
  help: string;
  /** A navigation command run as is. */
  command?: string;
  /** A prompt whose answer is appended to `command` (a default from the current event when the answer is empty). */
  prompt?: { label: string; command: string; fallback?: 'path' | 'fd' };
  /** A UI action handled by the screen itself. */
  action?: 'quit' | 'help' | 'layout' | 'detail-up' | 'detail-down' | 'state-up' | 'state-down' | 'prompt';
}

/** Every key of `picotrace replay`, in the order `?` lists them. */
export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: ['j', 'down'], help: 'step forward', command: 'next' },
  { keys: ['k', 'up'], help: 'step back', command: 'prev' },
  { keys: ['t'], help: 'step forward, same thread', command: 'next-thread' },
  { keys: ['T'], help: 'step back, same thread', command: 'prev-thread' },
  { keys: ['space', 'pagedown'], help: 'page down', command: 'page-down' },
  { keys: ['pageup'], help: 'page up', command: 'page-up' },
  { keys: ['g', 'home'], help: 'first event', command: 'first' },
  { keys: ['G', 'end'], help: 'last event', command: 'last' },
  { keys: ['#'], help: 'go to event N', prompt: { label: 'go to event', command: 'goto' } },
  { keys: ['@'], help: 'go to time (1.5, 250ms)', prompt: { label: 'go to time', command: 'goto-time' } },
  { keys: ['e'], help: 'next failing call', command: 'next-error' },
  { keys: ['E'], help: 'previous failing call', command: 'prev-error' },
  { keys: ['s'], help: 'next call of this name', command: 'next-call' },
  { keys: ['S'], help: 'previous call of this name', command: 'prev-call' },
  { keys: ['p'], help: 'next call on a path', prompt: { label: 'next call on path', command: 'next-path', fallback: 'path' } },
  { keys: ['P'], help: 'previous call on a path', prompt: { label: 'previous call on path', command: 'prev-path', fallback: 'path' } },
  { keys: ['d'], help: 'next call on an fd', prompt: { label: 'next call on fd', command: 'next-fd', fallback: 'fd' } },
  { keys: ['D'], help: 'previous call on an fd', prompt: { label: 'previous call on fd', command: 'prev-fd', fallback: 'fd' } },
  { keys: ['/'], help: 'search (regex over the line)', prompt: { label: '/', command: 'search' } },
  { keys: ['n'], help: 'next match', command: 'search-next' },
  { keys: ['N'], help: 'previous match', command: 'search-prev' },
  { keys: ['f'], help: 'filter: pid= call= errno= ...', prompt: { label: 'filter', command: 'filter' } },
  { keys: ['F'], help: 'clear the filter', command: 'filter' },
  { keys: ['b'], help: 'break: call= path= errno= fd=', prompt: { label: 'break', command: 'break' } },
  { keys: ['B'], help: 'clear breakpoints', command: 'clear-breaks' },
  { keys: ['c'], help: 'continue to a breakpoint', command: 'continue' },
  { keys: ['C'], help: 'reverse-continue', command: 'reverse-continue' },
  { keys: [':'], help: 'command: goto 120, next-fd 3', action: 'prompt' },
  { keys: ['z'], help: 'layout: both/detail/state', action: 'layout' },
  { keys: ['['], help: 'scroll detail up', action: 'detail-up' },
  { keys: [']'], help: 'scroll detail down', action: 'detail-down' },
  { keys: ['{'], help: 'scroll state up', action: 'state-up' },
  { keys: ['}'], help: 'scroll state down', action: 'state-down' },
  { keys: ['?'], help: 'this help', action: 'help' },
  { keys: ['q', 'C-c'], help: 'quit', action: 'quit' },
];

const KEY_LABELS: Readonly<Record<string, string>> = { space: 'Spc', pagedown: 'PgDn', pageup: 'PgUp', home: 'Home', end: 'End', down: 'Down', up: 'Up' };

/** The help text: one entry per binding, in two columns when `width` allows (80 columns fit every key in 24 rows). */
export function helpLines(width = 80): string[] {
  const entries = KEY_BINDINGS.filter((k) => k.help).map((k) => `${k.keys.map((x) => KEY_LABELS[x] ?? x).join(' ').padEnd(9)} ${k.help}`);
  if (width < 80) return entries;
  const colW = Math.floor(width / 2);
  const rows = Math.ceil(entries.length / 2);
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const left = entries[i].slice(0, colW - 1).padEnd(colW);
    out.push(`${left}${(entries[i + rows] ?? '').slice(0, colW - 1)}`);
  }
  return out;
}
