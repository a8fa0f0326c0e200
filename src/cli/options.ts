import { z } from 'zod/v3';
import { UsageError } from '../util/errors.js';

/** Validates a value with a zod schema, turning a failure into a one-line UsageError naming the option. */
export function parseOption<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, option: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const msg = r.error.issues[0]?.message ?? 'invalid value';
  throw new UsageError(`${option}: ${msg} (got ${JSON.stringify(value)})`);
}

/** One of a fixed set of names, with a message that lists them. */
export function zOneOf<T extends string>(values: readonly T[]): z.ZodType<T, z.ZodTypeDef, unknown> {
  return z.enum(values as [T, ...T[]], { message: `expected one of ${values.join(', ')}` });
}

/** A non-negative integer given on the command line as decimal or 0x hex. */
export const zCount = z
  .string()
  .regex(/^(0x[0-9a-fA-F]+|\d+)$/, 'expected a non-negative integer')
  .transform((s) => Number(s))
  .refine((n) => Number.isSafeInteger(n), 'number too large');

/** A comma-separated list of integers ("12,13"). */
export const zIntList = z
  .string()
  .regex(/^-?\d+(,-?\d+)*$/, 'expected a comma-separated list of integers')
  .transform((s) => s.split(',').map(Number));

/** A comma-separated list of names ("openat,read"). */
export const zNameList = z
  .string()
  .regex(/^[A-Za-z0-9_?]+(,[A-Za-z0-9_?]+)*$/, 'expected a comma-separated list of names')
  .transform((s) => s.split(','));

/** commander's collector for repeatable options (`--x a --x b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
