export { Navigator, searchText, type NavigatorOptions, type Outcome, type Job } from './navigator.js';
export { COMMAND_DEFS, parseCommand, splitScript, parseTime, statePane, type CommandDef } from './commands.js';
export { runScript, parseScript, cursorLine } from './script.js';
export { runScreen, type ScreenOptions } from './screen.js';
export { parseFilter, parseBreakpoint, describeFilter, describeBreakpoint, filterMatcher, breakpointMatcher, onPath, onFd, fdsOf, type FilterSpec, type Breakpoint, type Matcher } from './match.js';
export { detailLines, stateLines, statusLine, listWindow, listLine, hexDump } from './panes.js';
export { KEY_BINDINGS, helpLines, type KeyBinding } from './keys.js';
export { CALL_CLASSES, classCalls } from './classes.js';
export { scan, collect, runToEnd, readChunkSafe, damageOf, type ChunkSource } from './scan.js';
