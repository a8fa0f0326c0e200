export { StatsCollector, STATS_BY, type Stats, type StatsBy, type StatsRow, type StatsOptions } from './collect.js';
export { renderStatsText } from './format.js';
export { pathsOfCall, PATH_ARGS } from './path-args.js';
