import type { Command } from 'commander';
import { registerInfo } from './info.js';
import { registerDump } from './dump.js';
import { registerScrub } from './scrub.js';
import { registerStats } from './stats.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerRecord } from './record.js';
import { registerReplay } from './replay.js';
import { registerDoctor } from './doctor.js';
import { registerDiff } from './diff.js';
import { registerBisect } from './bisect.js';
import { registerCheck } from './check.js';
import { registerDemo } from './demo.js';

/** Every subcommand: each file exports one register function that adds its command to the program. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerInfo, registerDump, registerScrub, registerStats, registerExport, registerImport, registerRecord, registerDoctor, registerReplay, registerDiff, registerBisect, registerCheck, registerDemo];
