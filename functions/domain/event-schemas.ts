import { type ZodError, type ZodIssue, type ZodTypeAny, z } from 'zod';
import { eventCatalog } from './event-catalog';
import { operationalEventTypes } from './operational-events';

/**
 * One zod schema per catalog event type for the `data` the platform publishes, written from the
 * seeds' examples. Each schema requires the fields the seed shows and checks their types, but lets
 * extra fields through: the platform already sends more than the guide documents (`eventType`, a
 * fuller `user` with `job: null`), and refusing them would drop real events. The schemas only
 * check; callers deliver the platform's `data` as it came, so keys keep the platform's order.
 */

/** Platform ids (use cases, reviews, users) are opaque strings; an empty one is always a bug. */
const platformId = z.string().min(1);

/** Any JSON value: what a custom field may hold (text, number, date string, list, nothing...). */
const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(jsonValue)]),
);

/**
 * The acting user. Every known field is optional because the examples differ (the custom field
 * example has no `userId`), and nullable because the wire carries `job: null`.
 */
const actingUser = z
  .object({
    email: z.string().nullable(),
    role: z.string().nullable(),
    job: z.string().nullable(),
    userId: z.string().nullable(),
    nickname: z.string().nullable(),
    familyName: z.string().nullable(),
    givenName: z.string().nullable(),
  })
  .partial()
  .passthrough();

const taggedUser = z.object({ user: z.string(), user_id: platformId }).passthrough();

/** The ten `use_case_<field>_updated` types have no seed example: only the use case is certain. */
const metadataUpdated = z.object({ useCaseId: platformId }).passthrough();

const customFieldUpdated = z
  .object({
    customFieldId: platformId,
    customFieldName: z.string(),
    customFieldType: z.string(),
    useCaseId: platformId,
    user: actingUser,
    // The value's type follows the custom field, not the event (the seed sends a date as text for
    // a field typed "number"), and a removed field has none, so every JSON value is accepted.
    value: jsonValue,
  })
  .passthrough();

const reviewComment = z
  .object({
    comment: z.string(),
    reviewId: platformId,
    taggedUsers: z.array(taggedUser),
    useCaseId: platformId,
  })
  .passthrough();

const reviewStatusUpdated = z
  .object({
    reviewId: platformId,
    status: z.string(),
    useCaseId: platformId,
    user: actingUser,
  })
  .passthrough();

const reviewTaskDeleted = z
  .object({
    assignedUserId: platformId,
    assignerId: platformId,
    reviewId: platformId,
    useCaseId: platformId,
    user: actingUser,
  })
  .passthrough();

const reviewTaskStatusUpdated = reviewTaskDeleted.extend({ status: z.string(), subStatus: z.string() });

/**
 * Herald's own events (operational-events.ts): one shape for all five. Herald writes them, so the
 * schema is exact (no extra fields), and the router's check catches a publisher that drifts from it.
 */
const operationalEventData = z
  .object({
    tenant: z.string().min(1),
    webhook: z.object({ id: platformId, url: z.string().url(), description: z.string() }).strict(),
    trigger: z.enum(['manual', 'automatic']),
    reason: z.string().nullable(),
    last_attempt: z
      .object({
        time: z.string().min(1),
        status_code: z.number().int().nullable(),
        error: z.string().nullable(),
      })
      .strict()
      .nullable(),
    counts: z
      .object({
        consecutive_failures: z.number().int().min(0),
        failing_since: z.string().nullable(),
        attempts: z.number().int().min(1).nullable(),
      })
      .strict(),
    delivery: z
      .object({ id: platformId, event_id: platformId, event_type: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

const byEventType = new Map<string, ZodTypeAny>([
  ...eventCatalog
    .filter((definition) => definition.group === 'use_case_metadata')
    .map((definition): [string, ZodTypeAny] => [definition.name, metadataUpdated]),
  ['use_case_custom_field_updated', customFieldUpdated],
  ['use_case_review_comment', reviewComment],
  ['use_case_review_status_updated', reviewStatusUpdated],
  ['use_case_review_task_status_updated', reviewTaskStatusUpdated],
  ['use_case_review_task_deleted', reviewTaskDeleted],
  ...operationalEventTypes.map((name): [string, ZodTypeAny] => [name, operationalEventData]),
]);

/** The schema of an event type's `data`, or undefined when the type is not in the catalog. */
export function dataSchemaFor(eventType: string): ZodTypeAny | undefined {
  return byEventType.get(eventType);
}

/**
 * One readable line per zod issue, naming the field by its path under `base`
 * (`data.taggedUsers[0].user_id must be a string, not a number`), so an operator looking at a
 * refused event sees what to fix without the schema at hand.
 */
export function describeIssues(error: ZodError, base: string): string[] {
  return error.issues.map((issue) => describeIssue(issue, base));
}

function describeIssue(issue: ZodIssue, base: string): string {
  const field = issue.path.reduce<string>(
    (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key),
    base,
  );
  if (isMissing(issue)) return `${field} is required`;
  if (issue.code === 'invalid_type') {
    return `${field} must be ${article(issue.expected)}, not ${article(issue.received)}`;
  }
  // The only union is the JSON value of a custom field.
  if (issue.code === 'invalid_union') return `${field} must be a JSON value`;
  return `${field}: ${issue.message}`;
}

/** A missing field; a union reports one as every alternative's type error instead. */
function isMissing(issue: ZodIssue): boolean {
  if (issue.code === 'invalid_type') return issue.received === 'undefined';
  return issue.code === 'invalid_union' && issue.unionErrors.every((e) => e.issues.every(isMissing));
}

function article(type: string): string {
  if (type === 'null' || type === 'undefined') return type;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
