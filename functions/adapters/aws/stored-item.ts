import type { z } from 'zod';

/**
 * Reading DynamoDB items: every item is parsed with its kind's schema at the adapter's edge, so a
 * malformed one (written by hand, by an older Herald, or half-migrated) fails here, naming the item
 * and the field, instead of deep in the domain as `undefined is not a function`.
 */

/** A stored item that does not fit its kind's schema. Names fields, never their values. */
export class MalformedItem extends Error {
  constructor(
    readonly kind: string,
    /** The item's key, e.g. `pk=TENANT#acme sk=WEBHOOK#wh_1`. */
    readonly key: string,
    readonly problems: readonly string[],
  ) {
    super(`Malformed ${kind} item (${key}): ${problems.join('; ')}`);
    this.name = 'MalformedItem';
  }
}

/** Whether A and B are the same type (each assignable to the other). */
export type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Holds an item schema to a domain type written as an interface: `matching<Route>()(schema)`
 * returns the schema, and compiles only when the schema's output is exactly `Route` (otherwise:
 * "Expected 2 arguments"), so a field added to or changed in either cannot go unnoticed.
 */
export function matching<T>() {
  return <S extends z.ZodTypeAny>(
    schema: S,
    ..._differs: Exactly<z.output<S>, T> extends true ? [] : ['the schema does not match the domain type']
  ): S => schema;
}

/** The key of an item as errors show it. */
export function itemKey(item: Record<string, unknown>): string {
  return `pk=${String(item.pk)} sk=${String(item.sk)}`;
}

/** One problem, by field path. zod's enum message repeats the value found, so it is rewritten. */
function describeIssue(issue: z.ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.join('.') : '(item)';
  if (issue.code === 'invalid_enum_value')
    return `${field}: expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
  return `${field}: ${issue.message}`;
}

/**
 * Parses an item with its kind's schema.
 * @param kind what the item is, for the error: `webhook`, `route`, ...
 * @param key how the error names the item; its `pk` and `sk` by default.
 * @throws MalformedItem naming the item and every failing field.
 */
export function parseItem<S extends z.ZodTypeAny>(
  schema: S,
  item: Record<string, unknown>,
  kind: string,
  key: string = itemKey(item),
): z.output<S> {
  const parsed = schema.safeParse(item);
  if (!parsed.success) throw new MalformedItem(kind, key, parsed.error.issues.map(describeIssue));
  return parsed.data;
}
