import { z } from 'zod/v3';
import { BadInputError } from '../util/errors.js';
import { DIVERGENCE_KINDS, type DivergenceKind } from './classify.js';
import { escapeGlob, globToRegExp } from './glob.js';

/** One accepted deviation: every given field must match for a divergence to be hidden. */
export interface Suppression {
  /** Line of the rules file it came from. */
  line: number;
  call?: string;
  errno?: string;
  path?: string;
  process?: string;
  kind?: DivergenceKind[];
  note?: string;
}

/** What a suppression is matched against: facts of one divergence from both sides. */
export interface DivergenceFacts {
  kind: DivergenceKind;
  name: string;
  /** Errno names on either side ("" for success). */
  errnos: string[];
  /** Paths or fd targets the call names on either side. */
  subjects: string[];
  /** Programs exec'd by the process and its task path, on either side. */
  processes: string[];
}

const KEYS = ['call', 'errno', 'path', 'process', 'kind', 'note'] as const;

const zGlob = z.string().min(1, 'empty value');
const zRule = z
  .object({
    call: zGlob.regex(/^[A-Za-z0-9_*?]+$/, 'call: expected a call name or glob (letters, digits, _, *, ?)').optional(),
    errno: zGlob.regex(/^(E[A-Z0-9]+|\*|none)$/, 'errno: expected an errno name such as ENOSYS, "none" for success, or *').optional(),
    path: zGlob.optional(),
    process: zGlob.optional(),
    kind: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(DIVERGENCE_KINDS as [DivergenceKind, ...DivergenceKind[]], { message: `kind: expected one of ${DIVERGENCE_KINDS.join(', ')}` })))
      .optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((r) => r.call || r.errno || r.path || r.process || r.kind, 'a rule needs at least one of call, errno, path, process, kind');

const TOKEN = /\s*([A-Za-z_]+)=("(?:[^"\\]|\\.)*"|[^\s"#]+)\s*/y;

function tokenize(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*(#.*)?$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new BadInputError(`expected key=value at column ${pos + 1}: ${JSON.stringify(text.slice(pos).trim().slice(0, 40))}`, where);
    const key = m[1];
    if (!(KEYS as readonly string[]).includes(key)) throw new BadInputError(`unknown key "${key}" (expected one of ${KEYS.join(', ')})`, where);
    if (key in out) throw new BadInputError(`key "${key}" given twice`, where);
    let v = m[2];
    if (v.startsWith('"')) {
      try {
        v = JSON.parse(v) as string;
      } catch {
        throw new BadInputError(`bad quoted value ${v}`, where);
      }
    }
    out[key] = v;
    pos = TOKEN.lastIndex;
  }
  return out;
}

/**
 * Parses a suppressions file: one rule per line, `key=value` pairs separated by spaces (values with spaces
 * in double quotes), `#` starts a comment. Throws BadInputError naming `source:line` for the first bad line.
 */
export function parseSuppressions(text: string, source: string): Suppression[] {
  const rules: Suppression[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const where = `${source}:${n + 1}`;
    const line = lines[n].replace(/\r$/, '');
    if (/^\s*(#.*)?$/.test(line)) continue;
    const fields = tokenize(line, where);
    const r = zRule.safeParse(fields);
    if (!r.success) throw new BadInputError(r.error.issues[0]?.message ?? 'invalid rule', where);
    rules.push({ line: n + 1, ...r.data });
  }
  return rules;
}

/** Compiled matchers of a rule list. */
export class SuppressionSet {
  private compiled: { rule: Suppression; call?: RegExp; errno?: RegExp; path?: RegExp; process?: RegExp }[];
  /** How many divergences each rule hid, by rule line. */
  readonly hits = new Map<number, number>();

  constructor(readonly rules: readonly Suppression[]) {
    this.compiled = rules.map((rule) => ({
      rule,
      call: rule.call ? globToRegExp(rule.call) : undefined,
      errno: rule.errno ? globToRegExp(rule.errno) : undefined,
      path: rule.path ? globToRegExp(rule.path) : undefined,
      process: rule.process ? globToRegExp(rule.process) : undefined,
    }));
  }

  /** The first rule hiding a divergence with these facts, or undefined. */
  match(f: DivergenceFacts): Suppression | undefined {
    for (const c of this.compiled) {
      if (c.rule.kind && !c.rule.kind.includes(f.kind)) continue;
      if (c.call && !c.call.test(f.name)) continue;
      if (c.errno && !f.errnos.some((e) => c.errno!.test(e || 'none'))) continue;
      if (c.path && !f.subjects.some((s) => s !== '' && c.path!.test(s))) continue;
      if (c.process && !f.processes.some((p) => c.process!.test(p))) continue;
      this.hits.set(c.rule.line, (this.hits.get(c.rule.line) ?? 0) + 1);
      return c.rule;
    }
    return undefined;
  }
}

function quote(v: string): string {
  return /^[^\s"#]+$/.test(v) ? v : JSON.stringify(v);
}

/** Writes a suppressions file with one rule per distinct (call, kind, errno, path) of the given divergences. */
export function formatSuppressions(facts: Iterable<DivergenceFacts>, heading: string[] = []): string {
  const seen = new Map<string, number>();
  for (const f of facts) {
    const errno = f.kind === 'errno' ? f.errnos.find((e) => e) : undefined;
    const path = f.subjects.find((s) => s);
    const parts = [`call=${quote(escapeGlob(f.name))}`, `kind=${f.kind}`];
    if (errno) parts.push(`errno=${errno}`);
    if (path && (f.kind === 'only-a' || f.kind === 'only-b' || f.kind === 'args' || f.kind === 'data')) parts.push(`path=${quote(escapeGlob(path))}`);
    if (f.kind === 'process-only-a' || f.kind === 'process-only-b') {
      const p = f.processes.find((x) => x.includes('/'));
      if (p) parts.push(`process=${quote(escapeGlob(p))}`);
    }
    const line = parts.join(' ');
    seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  const out = ['# picotrace suppressions: one rule per line, key=value (call, errno, path, process, kind, note); # starts a comment', ...heading.map((h) => `# ${h}`)];
  for (const [line, n] of seen) out.push(`${line}  # ${n} divergence${n === 1 ? '' : 's'}`);
  return `${out.join('\n')}\n`;
}
