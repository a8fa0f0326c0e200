import type { PathRule } from './options.js';

const STOP = `:\\s"'<>(),;=`;

function globToRegex(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += `[^${STOP}]*`;
      i++;
    } else if (c === '*') re += `[^/${STOP}]*`;
    else if (c === '?') re += `[^/${STOP}]`;
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return re;
}

/** Rewrites path prefixes inside a string; the identity when there are no rules. */
export type PathMapper = (s: string) => string;

/**
 * Compiles path rules into one mapper. A rule matches where a path starts (the start of the string, or
 * after `=`, `:`, a space, a quote or a bracket, as in `PATH=/a:/b` or `--config=/home/x/c`) and ends at
 * a component boundary, so `/home/*` rewrites `/home/alice/x` but not `/homework`. `*` and `?` stay
 * inside one component, `**` spans components.
 */
export function compilePathRules(rules: readonly PathRule[]): PathMapper {
  if (rules.length === 0) return (s) => s;
  const compiled = rules.map((r) => ({
    re: new RegExp(`(?<=^|[${STOP}])${globToRegex(r.glob)}(?=/|[${STOP}]|$)`, 'g'),
    first: r.glob.slice(0, Math.max(1, r.glob.search(/[*?]|$/))),
    replacement: r.replacement,
  }));
  return (s) => {
    if (s.indexOf('/') < 0) return s;
    let out = s;
    for (const c of compiled) if (out.includes(c.first)) out = out.replace(c.re, () => c.replacement);
    return out;
  };
}
