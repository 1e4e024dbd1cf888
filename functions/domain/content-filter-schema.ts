// A namespace import: `import { z }` hands esbuild zod's namespace object, which holds every
// locale (about 140 KB of the api bundle); property reads on `* as z` let it keep what is used.
import * as z from 'zod/v4';
import { filterableFields, filterOperators, numericOperators } from './content-filter';

/**
 * The filter as the API takes it: EventBridge's pattern syntax (content-filter.ts), checked
 * field by field so each problem points at its place under `/data/attributes/filter`. Apart from
 * the matcher so the router, which only matches stored filters, carries no zod/v4.
 */

export const filterLimits = {
  /** Levels of nested objects and arrays, the filter itself being the first. */
  depth: 10,
  /** Bytes of the filter as JSON. */
  bytes: 4096,
} as const;

/** Keys JavaScript objects treat specially: copying them would change a prototype, not a field. */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);

type Path = (string | number)[];
type Report = (path: Path, code: string, message: string) => void;

const lowerBounds = new Set(['>', '>=']);
const upperBounds = new Set(['<', '<=']);

/** A number DynamoDB stores and gives back exactly, so the stored filter is the filter sent. */
function storableNumber(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (Number.isInteger(value)) return Number.isSafeInteger(value);
  return Math.abs(value) < 1e125 && Math.abs(value) >= 1e-129;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How deep `value` nests, counting itself as a level when it is an object or array. */
function depthOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, limit - 1));
  return deepest + 1;
}

/** The first path at which `value` is deeper than `limit` levels. */
function tooDeepAt(value: unknown, limit: number, path: Path): Path | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (limit === 0) return path;
  for (const [key, child] of Object.entries(value)) {
    const found = tooDeepAt(child, limit - 1, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

function checkKeys(pattern: Record<string, unknown>, path: Path, report: Report): boolean {
  const keys = Object.keys(pattern);
  if (keys.length === 0) {
    report(path, 'invalid_value', 'must name at least one field');
    return false;
  }
  for (const key of keys) {
    if (key === '' || reservedKeys.has(key))
      report([...path, key], 'invalid_value', `must not use the key "${key}"`);
  }
  return true;
}

/** A pattern object: each key a nested pattern or a non-empty array of conditions. */
function checkPattern(pattern: Record<string, unknown>, path: Path, report: Report): void {
  if (!checkKeys(pattern, path, report)) return;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '' || reservedKeys.has(key)) continue;
    const at = [...path, key];
    if (Array.isArray(value)) {
      if (value.length === 0) report(at, 'invalid_value', 'must list at least one condition');
      for (const [index, condition] of value.entries()) checkCondition(condition, [...at, index], report);
    } else if (isObject(value)) {
      checkPattern(value, at, report);
    } else {
      report(at, 'invalid_type', 'must be an array of conditions or an object of fields');
    }
  }
}

function checkCondition(condition: unknown, path: Path, report: Report): void {
  if (typeof condition === 'number') {
    if (!storableNumber(condition))
      report(path, 'invalid_value', `the number ${condition} cannot be stored exactly`);
    return;
  }
  if (!isObject(condition)) {
    if (Array.isArray(condition))
      report(path, 'invalid_type', 'must be a value or an operator object, not an array');
    return;
  }
  const keys = Object.keys(condition);
  if (keys.length !== 1) {
    report(path, 'invalid_value', `must name exactly one operator (${filterOperators.join(', ')})`);
    return;
  }
  const operator = keys[0] as string;
  const operand = condition[operator];
  const schema = operandSchemas[operator];
  if (!schema) {
    report(
      [...path, operator],
      'unknown_operator',
      `is not an operator; use one of: ${filterOperators.join(', ')}`,
    );
    return;
  }
  const parsed = schema.safeParse(operand);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      report(
        [...path, operator, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
        codeOf(issue),
        issue.message,
      );
    }
  }
}

function codeOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' || issue.code === 'invalid_union' ? 'invalid_type' : 'invalid_value';
}

const text = z.string({ error: 'must be a string' });
const storable = z
  .number({ error: 'must be a number' })
  .refine(storableNumber, 'must be a number stored exactly');
const ignoreCase = z.strictObject(
  { 'equals-ignore-case': text },
  { error: 'must be a string or { "equals-ignore-case": string }' },
);
const affix = z.union([text, ignoreCase], { error: 'must be a string or { "equals-ignore-case": string }' });

/** `[op, n]` or `[lower op, n, upper op, n]`; `=` only alone. */
const numeric = z
  .array(z.unknown(), { error: 'must be an array: [op, number] or [op, number, op, number]' })
  .superRefine((range, ctx) => {
    if (range.length !== 2 && range.length !== 4) {
      ctx.addIssue({ code: 'custom', message: 'must be [op, number] or [op, number, op, number]' });
      return;
    }
    for (let i = 0; i < range.length; i += 2) {
      const op = range[i];
      const bound = range[i + 1];
      if (typeof op !== 'string' || !(numericOperators as readonly string[]).includes(op)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `must be one of: ${numericOperators.join(' ')}` });
      }
      if (typeof bound !== 'number') {
        ctx.addIssue({ code: 'custom', path: [i + 1], message: 'must be a number' });
      } else if (!storableNumber(bound)) {
        ctx.addIssue({ code: 'custom', path: [i + 1], message: 'must be a number stored exactly' });
      }
    }
    if (range.length === 4) {
      const ops = [range[0], range[2]];
      const oneOfEach =
        ops.some((op) => typeof op === 'string' && lowerBounds.has(op)) &&
        ops.some((op) => typeof op === 'string' && upperBounds.has(op));
      if (!oneOfEach) {
        ctx.addIssue({
          code: 'custom',
          message: 'a range needs one lower bound (> or >=) and one upper bound (< or <=)',
        });
      }
    }
  });

const anythingBut = z.union(
  [
    text,
    storable,
    z.array(text).min(1),
    z.array(storable).min(1),
    z.strictObject({ prefix: text }),
    z.strictObject({ suffix: text }),
    z.strictObject({ 'equals-ignore-case': z.union([text, z.array(text).min(1)]) }),
  ],
  {
    error:
      'must be a string, a number, a list of strings or of numbers, or { prefix | suffix | equals-ignore-case }',
  },
);

const operandSchemas: Readonly<Record<string, z.ZodType>> = {
  prefix: affix,
  suffix: affix,
  'equals-ignore-case': text,
  numeric,
  exists: z.boolean({ error: 'must be true or false' }),
  'anything-but': anythingBut,
};

/**
 * Every problem with a filter, each with its path below the filter. The size and depth limits
 * come first and alone: a filter over them is not walked further.
 */
export function filterProblems(filter: unknown): { path: Path; code: string; message: string }[] {
  const problems: { path: Path; code: string; message: string }[] = [];
  const report: Report = (path, code, message) => problems.push({ path, code, message });
  if (!isObject(filter)) {
    report([], 'invalid_type', 'must be an object');
    return problems;
  }
  const bytes = Buffer.byteLength(JSON.stringify(filter));
  if (bytes > filterLimits.bytes) {
    report([], 'too_long', `must be at most ${filterLimits.bytes} bytes as JSON (this one is ${bytes})`);
    return problems;
  }
  if (depthOf(filter, filterLimits.depth + 1) > filterLimits.depth) {
    report(
      tooDeepAt(filter, filterLimits.depth, []) ?? [],
      'too_deep',
      `must nest at most ${filterLimits.depth} levels`,
    );
    return problems;
  }
  for (const key of Object.keys(filter)) {
    if (!(filterableFields as readonly string[]).includes(key)) {
      report([key], 'unknown_field', `is not a field of the event; use ${filterableFields.join(', ')}`);
    }
  }
  checkPattern(filter, [], report);
  return problems;
}

/**
 * The `filter` attribute: null (or `{}`, or absent) for none, else a pattern on the event's
 * `{ type, environment, data }`. The document describes it as an opaque object: a recursive JSON
 * value breaks generated client types (TOOLCHAIN.md).
 */
export const contentFilterSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === null) return;
    for (const problem of filterProblems(value)) {
      ctx.addIssue({
        code: 'custom',
        path: problem.path,
        message: problem.message,
        params: { code: problem.code },
      });
    }
  })
  // Checked above to be an object or null: this only tells the type so.
  .transform((value) => (isObject(value) ? value : null))
  .meta({
    override: { type: ['object', 'null'], additionalProperties: true },
    description:
      'Deliver only events that match this pattern, in EventBridge content-filtering syntax, on the event’s `type`, `environment` and `data`: exact values, `prefix`, `suffix`, `anything-but`, `numeric`, `exists`, `equals-ignore-case`, nested keys, arrays as "any of". At most 10 levels deep and 4 KB as JSON; null removes it. Try one with POST /webhooks/filter-test.',
    example: { data: { status: ['approved', 'rejected'], score: [{ numeric: ['>=', 50] }] } },
  });
