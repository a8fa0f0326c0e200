export { createScrubber, type Scrubber } from './scrub.js';
export { type ScrubOptions, type PathRule, HOME_RULES, REDACTED, parsePathRule, scrubbedTokens, homeRule } from './options.js';
export { compilePathRules, type PathMapper } from './paths.js';
export { shortDigest, DIGEST_BYTES } from './digest.js';
export { DATA_ARGS, ENV_ARGS, type DataArg } from './data-args.js';
