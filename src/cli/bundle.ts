// The entry of the CommonJS bundle that bin/picotrace.js runs (package.json `bundle`): both stages
// of a command in one module graph, so that a recording the early stage started is the one the
// record command adopts.
export { startEarly } from './early.js';
export { main } from './main.js';
