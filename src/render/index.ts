export * from './strace.js';
export * from './json.js';
export * from './summary.js';
export * from './info.js';
export * from './diff.js';
