/**
 * A webhook's payload filter: EventBridge's content-filtering syntax, matched against the
 * event's `{ type, environment, data }`. The pattern arrives here already validated (see
 * content-filter-schema.ts) and stored, so this file has no zod in it: it runs in the router,
 * whose bundle stays small. It reads the pattern as plain JSON and answers `false`, never
 * throws, for anything it does not understand, so a malformed stored filter delivers nothing
 * rather than failing every event of the tenant.
 *
 * Semantics follow EventBridge (and its open-source matcher, aws/event-ruler):
 * - the keys of a pattern all have to match (and); the conditions in an array are "any of" (or);
 * - a condition is an exact value (string, number, boolean, null) or an operator object;
 * - a value in the event that is an array matches when any of its elements does, also on the
 *   way down (`{ "items": { "sku": ["a"] } }` matches `{ "items": [{ "sku": "a" }] }`);
 * - a key absent from the event matches only `{ "exists": false }` (so does an object or an
 *   empty array where the pattern expects a leaf: operators compare leaf values only);
 * - `prefix`, `suffix`, `equals-ignore-case` and `numeric` match only strings, resp. numbers;
 *   `anything-but` matches any present leaf value outside its list, of whatever type (the
 *   `prefix`/`suffix`/`equals-ignore-case` forms only strings).
 */

/** What a filter sees of an event; `environment: null` means the event names none (the key is absent). */
export interface FilterableEvent {
  type: string;
  environment: string | null;
  data: Readonly<Record<string, unknown>>;
}

/** A stored filter: a JSON object, validated when it was written. */
export type ContentFilter = Readonly<Record<string, unknown>>;

/** The operators a condition object may name, one per object. */
export const filterOperators = [
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'equals-ignore-case',
] as const;

/** `numeric`'s comparison operators. */
export const numericOperators = ['>', '>=', '<', '<=', '='] as const;

/** The fields of the event a filter may name at its top level. */
export const filterableFields = ['type', 'environment', 'data'] as const;

/** Whether `event` matches `filter`. Total: a pattern it cannot read matches nothing. */
export function matchesFilter(filter: ContentFilter, event: FilterableEvent): boolean {
  const subject: Record<string, unknown> = { type: event.type, data: event.data };
  if (event.environment !== null) subject.environment = event.environment;
  return matchesObject(filter, subject);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every key of the pattern matches the value (an object of the event, or undefined where there is none). */
function matchesObject(pattern: unknown, value: unknown): boolean {
  if (!isObject(pattern)) return false;
  for (const key of Object.keys(pattern)) {
    const sub = pattern[key];
    const field = isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
    const ok = Array.isArray(sub)
      ? matchesConditions(sub, leavesOf(field))
      : isObject(sub) && matchesNested(sub, field);
    if (!ok) return false;
  }
  return true;
}

/** A nested pattern under an array in the event matches when one element matches it whole. */
function matchesNested(pattern: Readonly<Record<string, unknown>>, field: unknown): boolean {
  if (Array.isArray(field) && field.length > 0)
    return field.some((element) => matchesNested(pattern, element));
  return matchesObject(pattern, field);
}

/** The leaf values at a key: none when absent or an object, the elements (flattened) of an array. */
function leavesOf(field: unknown): unknown[] {
  if (field === undefined || isObject(field)) return [];
  if (!Array.isArray(field)) return [field];
  return field.flatMap(leavesOf);
}

function matchesConditions(conditions: readonly unknown[], leaves: readonly unknown[]): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && Object.hasOwn(condition, 'exists')) {
      return condition.exists === leaves.length > 0;
    }
    return leaves.some((leaf) => matchesLeaf(condition, leaf));
  });
}

/** One condition against one leaf value of the event. */
function matchesLeaf(condition: unknown, leaf: unknown): boolean {
  if (!isObject(condition)) return isScalar(condition) && condition === leaf;
  const keys = Object.keys(condition);
  if (keys.length !== 1) return false;
  const operand = condition[keys[0] as string];
  switch (keys[0]) {
    case 'prefix':
      return typeof leaf === 'string' && affixMatches(operand, leaf, 'prefix');
    case 'suffix':
      return typeof leaf === 'string' && affixMatches(operand, leaf, 'suffix');
    case 'equals-ignore-case':
      return typeof leaf === 'string' && typeof operand === 'string' && sameIgnoringCase(leaf, operand);
    case 'numeric':
      return typeof leaf === 'number' && Array.isArray(operand) && inRange(operand, leaf);
    case 'anything-but':
      return anythingBut(operand, leaf);
    default:
      return false;
  }
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `prefix: "x"`, or `prefix: { "equals-ignore-case": "x" }`; likewise `suffix`. */
function affixMatches(operand: unknown, leaf: string, side: 'prefix' | 'suffix'): boolean {
  const ends = (value: string, affix: string) =>
    side === 'prefix' ? value.startsWith(affix) : value.endsWith(affix);
  if (typeof operand === 'string') return ends(leaf, operand);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return ends(leaf.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  return false;
}

/** `anything-but`: a value, a list of values, or `{ prefix | suffix | equals-ignore-case }`. */
function anythingBut(operand: unknown, leaf: unknown): boolean {
  if (isScalar(operand)) return leaf !== operand;
  if (Array.isArray(operand)) return isScalar(leaf) && !operand.includes(leaf);
  if (!isObject(operand) || typeof leaf !== 'string') return false;
  const keys = Object.keys(operand);
  if (keys.length !== 1) return false;
  const inner = operand[keys[0] as string];
  switch (keys[0]) {
    case 'prefix':
    case 'suffix':
      return typeof inner === 'string' && !affixMatches(inner, leaf, keys[0]);
    case 'equals-ignore-case': {
      const excluded = Array.isArray(inner) ? inner : [inner];
      return excluded.every((e) => typeof e === 'string' && !sameIgnoringCase(leaf, e));
    }
    default:
      return false;
  }
}

/** `numeric: [op, n]` or `[op, n, op, n]`: every comparison holds. */
function inRange(operand: readonly unknown[], leaf: number): boolean {
  if (operand.length !== 2 && operand.length !== 4) return false;
  for (let i = 0; i < operand.length; i += 2) {
    const bound = operand[i + 1];
    if (typeof bound !== 'number' || !compares(operand[i], leaf, bound)) return false;
  }
  return true;
}

function compares(op: unknown, a: number, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    default:
      return false;
  }
}
