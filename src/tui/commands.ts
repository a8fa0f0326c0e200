import { UsageError } from '../util/errors.js';
import { onFd, onPath, failed, parseBreakpoint, parseFilter, describeBreakpoint } from './match.js';
import type { Job, Navigator, Outcome } from './navigator.js';
import { detailLines, listWindow, stateLines, statusLine } from './panes.js';
import { callName } from '../state/index.js';

/** One navigation command, as typed in a script or at the `:` prompt. */
export interface CommandDef {
  name: string;
  aliases: string[];
  /** Argument: none, optional or required, with its name for help. */
  arg: '' | `[${string}]` | `<${string}>`;
  help: string;
  run(nav: Navigator, arg: string): Job;
}

/** A job that finishes at once. */
function* done(o: Outcome): Job {
  return o;
}

function need(arg: string, cmd: string, what: string): string {
  if (!arg) throw new UsageError(`${cmd}: missing ${what}`);
  return arg;
}

function count(arg: string, cmd: string): number {
  if (!arg) return 1;
  if (!/^\d+$/.test(arg)) throw new UsageError(`${cmd}: expected a count, got ${JSON.stringify(arg)}`);
  return Number(arg);
}

/** Parses a time: seconds since the start (`1.5`, `+1.5s`, `250ms`, `40us`, `900ns`) to ns. Throws UsageError. */
export function parseTime(s: string): number {
  const m = /^\+?(\d+(?:\.\d+)?)(s|ms|us|ns)?$/.exec(s.trim());
  if (!m) throw new UsageError(`goto-time: expected seconds since the start such as 1.5, 250ms or 40us, got ${JSON.stringify(s)}`);
  const mult = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[(m[2] ?? 's') as 's'];
  return Math.round(Number(m[1]) * mult);
}

function curName(nav: Navigator): string {
  const ev = nav.current();
  return ev.kind === 'call' ? callName(ev) : '';
}

function nameJob(nav: Navigator, arg: string, dir: 1 | -1, cmd: string): Job {
  const name = arg || curName(nav);
  if (!name) throw new UsageError(`${cmd}: missing call name`);
  return nav.seek(nav.cursor + dir, dir, (ev) => ev.kind === 'call' && callName(ev) === name, `call of ${name}`);
}

function pathJob(nav: Navigator, arg: string, dir: 1 | -1, cmd: string): Job {
  const p = need(arg, cmd, 'path');
  return nav.seek(nav.cursor + dir, dir, (ev) => onPath(ev, p), `call on ${p}`);
}

function fdJob(nav: Navigator, arg: string, dir: 1 | -1, cmd: string): Job {
  if (!/^\d+$/.test(arg)) throw new UsageError(`${cmd}: expected an fd number, got ${JSON.stringify(arg)}`);
  const fd = Number(arg);
  return nav.seek(nav.cursor + dir, dir, (ev) => onFd(ev, fd), `call on fd ${fd}`);
}

function threadJob(nav: Navigator, dir: 1 | -1): Job {
  const tid = nav.current().tid;
  return nav.seek(nav.cursor + dir, dir, (ev) => ev.tid === tid, `event of thread ${tid}`);
}

/** Every command of the navigation core; the terminal UI's keys and `:` prompt run these same commands. */
export const COMMAND_DEFS: readonly CommandDef[] = [
  { name: 'next', aliases: ['step', 's'], arg: '[n]', help: 'step forward n visible events', run: (nav, a) => nav.step(count(a, 'next')) },
  { name: 'prev', aliases: ['back', 'b'], arg: '[n]', help: 'step back n visible events', run: (nav, a) => nav.step(-count(a, 'prev')) },
  { name: 'next-thread', aliases: [], arg: '', help: 'step forward within the same thread', run: (nav) => threadJob(nav, 1) },
  { name: 'prev-thread', aliases: [], arg: '', help: 'step back within the same thread', run: (nav) => threadJob(nav, -1) },
  { name: 'page-down', aliases: [], arg: '', help: 'one page forward', run: (nav) => nav.step(nav.page) },
  { name: 'page-up', aliases: [], arg: '', help: 'one page back', run: (nav) => nav.step(-nav.page) },
  { name: 'first', aliases: [], arg: '', help: 'the first event', run: (nav) => nav.edge(false) },
  { name: 'last', aliases: [], arg: '', help: 'the last event', run: (nav) => nav.edge(true) },
  {
    name: 'goto',
    aliases: ['g'],
    arg: '<n>',
    help: 'event number n',
    run: (nav, a) => {
      if (!/^\d+$/.test(a)) throw new UsageError(`goto: expected an event number, got ${JSON.stringify(a)}`);
      return nav.goto(Number(a));
    },
  },
  { name: 'goto-time', aliases: ['time'], arg: '<t>', help: 'first event at t seconds since the start (1.5, 250ms, 40us)', run: (nav, a) => nav.gotoTime(parseTime(need(a, 'goto-time', 'time'))) },
  { name: 'next-error', aliases: [], arg: '', help: 'next failing call', run: (nav) => nav.seek(nav.cursor + 1, 1, failed, 'failing call') },
  { name: 'prev-error', aliases: [], arg: '', help: 'previous failing call', run: (nav) => nav.seek(nav.cursor - 1, -1, failed, 'failing call') },
  { name: 'next-call', aliases: [], arg: '[name]', help: 'next call of a name (default: the current call\'s)', run: (nav, a) => nameJob(nav, a, 1, 'next-call') },
  { name: 'prev-call', aliases: [], arg: '[name]', help: 'previous call of a name', run: (nav, a) => nameJob(nav, a, -1, 'prev-call') },
  { name: 'next-path', aliases: [], arg: '<path>', help: 'next call whose arguments or result name a path containing this', run: (nav, a) => pathJob(nav, a, 1, 'next-path') },
  { name: 'prev-path', aliases: [], arg: '<path>', help: 'previous call on a path', run: (nav, a) => pathJob(nav, a, -1, 'prev-path') },
  { name: 'next-fd', aliases: [], arg: '<fd>', help: 'next call acting on (or returning) an fd', run: (nav, a) => fdJob(nav, a, 1, 'next-fd') },
  { name: 'prev-fd', aliases: [], arg: '<fd>', help: 'previous call on an fd', run: (nav, a) => fdJob(nav, a, -1, 'prev-fd') },
  { name: 'search', aliases: ['/'], arg: '<regex>', help: 'next event whose line matches the regex', run: (nav, a) => nav.find(need(a, 'search', 'regex'), 1) },
  { name: 'search-back', aliases: ['?/'], arg: '<regex>', help: 'previous event whose line matches', run: (nav, a) => nav.find(need(a, 'search-back', 'regex'), -1) },
  { name: 'search-next', aliases: ['n'], arg: '', help: 'repeat the search forward', run: (nav) => nav.find(undefined, 1) },
  { name: 'search-prev', aliases: ['N'], arg: '', help: 'repeat the search backward', run: (nav) => nav.find(undefined, -1) },
  { name: 'filter', aliases: [], arg: '[spec]', help: 'show only pid=, tid=, call=, class=, errno= (empty: clear)', run: (nav, a) => nav.setFilter(a ? parseFilter(a) : undefined) },
  {
    name: 'break',
    aliases: [],
    arg: '<spec>',
    help: 'add a breakpoint: call=NAME, path=PATH, errno=ERRNO or fd=N',
    run: (nav, a) => {
      const b = parseBreakpoint(need(a, 'break', 'breakpoint'));
      nav.addBreakpoint(b);
      return done({ ok: true, message: `breakpoint ${nav.breakpoints.length}: ${describeBreakpoint(b)}` });
    },
  },
  { name: 'clear-breaks', aliases: [], arg: '', help: 'remove every breakpoint', run: (nav) => (nav.clearBreakpoints(), done({ ok: true, message: 'breakpoints cleared' })) },
  { name: 'continue', aliases: ['c'], arg: '', help: 'run forward to the next breakpoint hit', run: (nav) => nav.continueTo(1) },
  { name: 'reverse-continue', aliases: ['rc'], arg: '', help: 'run backward to the previous breakpoint hit', run: (nav) => nav.continueTo(-1) },
  { name: 'state', aliases: [], arg: '', help: 'print the state pane', run: (nav) => done({ ok: true, output: statePane(nav) }) },
  { name: 'detail', aliases: [], arg: '', help: 'print the detail pane', run: (nav) => done({ ok: true, output: nav.empty ? [] : detailLines(nav.current(), nav.reader.header) }) },
  { name: 'list', aliases: [], arg: '[n]', help: 'print n list lines from the cursor (default 10)', run: (nav, a) => done({ ok: true, output: listWindow(nav, nav.cursor, a ? count(a, 'list') : 10, 200).lines }) },
  { name: 'status', aliases: [], arg: '', help: 'print the status line', run: (nav) => done({ ok: true, output: [statusLine(nav)] }) },
];

/** The state pane text for the cursor's event. */
export function statePane(nav: Navigator): string[] {
  if (nav.empty) return ['state: empty trace'];
  const ev = nav.current();
  return stateLines(nav.state(), ev.pid, `after #${ev.seq}`);
}

const BY_NAME = new Map<string, CommandDef>();
for (const c of COMMAND_DEFS) for (const n of [c.name, ...c.aliases]) BY_NAME.set(n, c);

/** Parses one command (`goto 120`, `search open.*ENOENT`, or a bare number meaning goto) into its definition and argument. Throws UsageError. */
export function parseCommand(text: string): { def: CommandDef; arg: string } {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { def: BY_NAME.get('goto') as CommandDef, arg: t };
  if (t.startsWith('/')) return { def: BY_NAME.get('search') as CommandDef, arg: t.slice(1) };
  const m = /^(\S+)\s*(.*)$/.exec(t);
  const def = m ? BY_NAME.get(m[1]) : undefined;
  if (!m || !def) throw new UsageError(`unknown command ${JSON.stringify(t.split(/\s+/)[0] ?? '')} (known: ${COMMAND_DEFS.map((c) => c.name).join(', ')})`);
  const arg = m[2].trim();
  if (def.arg === '' && arg) throw new UsageError(`${def.name}: takes no argument (got ${JSON.stringify(arg)})`);
  return { def, arg };
}

/** Splits a script (`goto 120; next-error; state`, or one command per line) into commands; `;` inside a regex is written `\;`. */
export function splitScript(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === '\\' && script[i + 1] === ';') {
      cur += ';';
      i++;
    } else if (ch === ';' || ch === '\n') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
