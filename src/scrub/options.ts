/** One path rewrite: every path prefix matching `glob` (at a component boundary) becomes `replacement`. */
export interface PathRule {
  glob: string;
  replacement: string;
}

/** What scrub removes or rewrites. */
export interface ScrubOptions {
  /** Replace buffer contents (and data strings in decoded arguments) by their length and digest. */
  buffers: boolean;
  /** Remove environment values, keeping the names. */
  env: boolean;
  /** Path prefixes to rewrite, applied in order. */
  paths: PathRule[];
  /** Also rewrite the recorded `HOME` (from the header's environment) to `~`, wherever it lives. */
  homeFromEnv?: boolean;
}

/** The replacement of a `--redact-path GLOB` rule that gives none. */
export const REDACTED = '<redacted>';

/** The rules `--map-home` adds: home directories (/home/NAME, /root) become `~`. */
export const HOME_RULES: readonly PathRule[] = [
  { glob: '/home/*', replacement: '~' },
  { glob: '/root', replacement: '~' },
];

/** Parses a `--redact-path` value: `GLOB` (replaced by `<redacted>`) or `GLOB=REPLACEMENT`. Returns undefined when the glob is not absolute. */
export function parsePathRule(spec: string): PathRule | undefined {
  const eq = spec.indexOf('=');
  const glob = eq < 0 ? spec : spec.slice(0, eq);
  const replacement = eq < 0 ? REDACTED : spec.slice(eq + 1);
  if (!glob.startsWith('/') || glob.length < 2) return undefined;
  return { glob: glob.replace(/\/+$/, ''), replacement };
}

/** The header.scrubbed entries that describe `o` (stable tokens: `buffers`, `env-values`, `unparsed-text`, `path:GLOB=>REPL`). */
export function scrubbedTokens(o: ScrubOptions): string[] {
  const t: string[] = [];
  if (o.buffers) t.push('buffers', 'unparsed-text');
  if (o.env) t.push('env-values');
  for (const r of o.paths) t.push(`path:${r.glob}=>${r.replacement}`);
  if (o.homeFromEnv) t.push('path:$HOME=>~');
  return t;
}

/** The rule for a recorded HOME value, or undefined when it is not a usable absolute path (or holds glob characters). */
export function homeRule(home: string | undefined): PathRule | undefined {
  if (!home || !home.startsWith('/') || /[*?]/.test(home)) return undefined;
  const glob = home.replace(/\/+$/, '');
  return glob.length > 1 ? { glob, replacement: '~' } : undefined;
}
