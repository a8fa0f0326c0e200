import type { Command } from 'commander';

/** Adds one subcommand to the program. */
export type Register = (program: Command) => void;

/**
 * Every subcommand, by name: each file exports one register function. They are loaded on demand so
 * that a command starts without compiling the others.
 */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<Register>>> = {
  record: async () => (await import('./record.js')).registerRecord,
  import: async () => (await import('./import.js')).registerImport,
  info: async () => (await import('./info.js')).registerInfo,
  dump: async () => (await import('./dump.js')).registerDump,
  replay: async () => (await import('./replay.js')).registerReplay,
  diff: async () => (await import('./diff.js')).registerDiff,
  bisect: async () => (await import('./bisect.js')).registerBisect,
  check: async () => (await import('./check.js')).registerCheck,
  scrub: async () => (await import('./scrub.js')).registerScrub,
  stats: async () => (await import('./stats.js')).registerStats,
  export: async () => (await import('./export.js')).registerExport,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  demo: async () => (await import('./demo.js')).registerDemo,
};

/** The register functions for `names` (every command when names is undefined or unknown). */
export async function loadCommands(names?: string[]): Promise<Register[]> {
  const wanted = names && names.every((n) => n in COMMAND_LOADERS) ? names : Object.keys(COMMAND_LOADERS);
  return Promise.all(wanted.map((n) => COMMAND_LOADERS[n]()));
}
