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
  { keys: ['t'], help: 'step forward in the same thread', command: 'next-thread' },
  { keys: ['T'], help: 'step back in the same thread', command: 'prev-thread' },
  { keys: ['space', 'pagedown', 'C-f'], help: 'page down', command: 'page-down' },
  { keys: ['pageup', 'C-b'], help: 'page up', command: 'page-up' },
  { keys: ['g', 'home'], help: 'first event', command: 'first' },
  { keys: ['G', 'end'], help: 'last event', command: 'last' },
  { keys: ['#'], help: 'go to event N', prompt: { label: 'go to event', command: 'goto' } },
  { keys: ['@'], help: 'go to time T (seconds since start: 1.5, 250ms)', prompt: { label: 'go to time', command: 'goto-time' } },
  { keys: ['e'], help: 'next failing call', command: 'next-error' },
  { keys: ['E'], help: 'previous failing call', command: 'prev-error' },
  { keys: ['s'], help: 'next call of the same name', command: 'next-call' },
  { keys: ['S'], help: 'previous call of the same name', command: 'prev-call' },
  { keys: ['p'], help: 'next call on a path', prompt: { label: 'next call on path', command: 'next-path', fallback: 'path' } },
  { keys: ['P'], help: 'previous call on a path', prompt: { label: 'previous call on path', command: 'prev-path', fallback: 'path' } },
  { keys: ['d'], help: 'next call on an fd', prompt: { label: 'next call on fd', command: 'next-fd', fallback: 'fd' } },
  { keys: ['D'], help: 'previous call on an fd', prompt: { label: 'previous call on fd', command: 'prev-fd', fallback: 'fd' } },
  { keys: ['/'], help: 'search forward (regex over the line)', prompt: { label: '/', command: 'search' } },
  { keys: ['n'], help: 'next match', command: 'search-next' },
  { keys: ['N'], help: 'previous match', command: 'search-prev' },
  { keys: ['f'], help: 'filter: pid= tid= call= class=file|network|process|memory|signal|time errno=', prompt: { label: 'filter', command: 'filter' } },
  { keys: ['F'], help: 'clear the filter', command: 'filter' },
  { keys: ['b'], help: 'add a breakpoint: call= path= errno= fd=', prompt: { label: 'break', command: 'break' } },
  { keys: ['B'], help: 'clear breakpoints', command: 'clear-breaks' },
  { keys: ['c'], help: 'continue to the next breakpoint', command: 'continue' },
  { keys: ['C'], help: 'reverse-continue to the previous breakpoint', command: 'reverse-continue' },
  { keys: [':'], help: 'type any script command (goto 120, next-fd 3, ...)', action: 'prompt' },
  { keys: ['z'], help: 'layout: detail and state / detail only / state only', action: 'layout' },
  { keys: ['['], help: 'scroll detail up', action: 'detail-up' },
  { keys: [']'], help: 'scroll detail down', action: 'detail-down' },
  { keys: ['{'], help: 'scroll state up', action: 'state-up' },
  { keys: ['}'], help: 'scroll state down', action: 'state-down' },
  { keys: ['?'], help: 'this help', action: 'help' },
  { keys: ['q', 'C-c'], help: 'quit', action: 'quit' },
];

/** The help text: one line per key. */
export function helpLines(): string[] {
  return KEY_BINDINGS.filter((k) => k.help).map((k) => `${k.keys.join(' ').padEnd(20)} ${k.help}`);
}
