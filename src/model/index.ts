export * from './args.js';
export * from './events.js';
export * from './tables.js';
export * from './clone-flags.js';
