export { reduce, reduceAll, applyEvent, withSeq, HANDLED_CALLS } from './reduce.js';
export { PMap } from './pmap.js';
export { freezeState, thawState, type FrozenState } from './freeze.js';
export { StateIndex, type EventSource, type StateIndexOptions, type IndexProgress, type KeyframeSet } from './keyframes.js';
export { emptyState, EXITED_KEEP, type KernelState, type Proc, type FdEntry, type FdTable, type Region, type MemMap, type ProcExit } from './types.js';
export { viewProc, snapshot, processTree, type ProcView, type TreeLine } from './view.js';
export { callName, succeeded, argInt, argBits, argPath, argFdPath, peel, decodedArg, namedArg, valueInt, valueBits, retPath } from './accessors.js';
export { FD_ARG0_CALLS, FD_MAKERS, OPEN_FLAGS, CLONE_FLAGS, PROT_FLAGS, MAP_FLAGS } from './tables.js';
