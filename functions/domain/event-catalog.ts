import {
  deliveryExhausted,
  failingThreshold,
  webhookDisabled,
  webhookEnabled,
  webhookFailing,
  webhookRecovered,
} from './operational-events';

/**
 * The event types Herald delivers, from the seeds' "Supported Event Types". The catalog is the
 * single list the API validates subscriptions against, the bus rule matches, and the
 * `GET /webhook-event-types` endpoint publishes.
 */
export interface EventTypeDefinition {
  /** The event type as the platform publishes it (`DetailType`) and customers subscribe to it. */
  readonly name: string;
  readonly description: string;
  /** Which seed group it belongs to; `operational`: Herald's own events about endpoints (operational-events.ts). */
  readonly group: 'use_case_metadata' | 'use_case_custom_field' | 'review' | 'operational';
  /** Deprecated types are still accepted (with a warning) and still delivered. */
  readonly deprecated: boolean;
  /** An example `data` payload, from the seeds where they give one. */
  readonly example: Readonly<Record<string, unknown>>;
}

const exampleUser = { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' };

/** `use_case_<field>_updated`: one per use case metadata field. */
const metadataFields: ReadonlyArray<{
  field: string;
  description: string;
  value: unknown;
  deprecated?: boolean;
}> = [
  {
    field: 'governance_status',
    description: 'Governance lifecycle stage',
    value: 'in_review',
    deprecated: true,
  },
  { field: 'risk_category_level', description: 'Risk level or tier assigned', value: 'high' },
  { field: 'name', description: 'Use case name', value: 'Loan approval model' },
  { field: 'icon', description: 'Visual icon for the use case', value: 'bank' },
  { field: 'description', description: 'Use case description', value: 'Scores consumer loan applications.' },
  { field: 'industries', description: 'Tagged industries', value: ['financial_services'] },
  { field: 'regions', description: 'Geographic scope', value: ['us', 'eu'] },
  { field: 'ai_type', description: 'Type of AI used', value: 'machine_learning' },
  { field: 'is_vendor', description: 'Whether it is a vendor-provided use case', value: false },
  {
    field: 'questionnaire_ids',
    description: 'Associated questionnaire IDs',
    value: ['pu7BDgxfVnK4RTQyb88uL'],
  },
];

const metadataEventTypes: EventTypeDefinition[] = metadataFields.map(
  ({ field, description, value, deprecated }) => ({
    name: `use_case_${field}_updated`,
    description: `Triggered when a use case's ${field} is modified: ${description}.`,
    group: 'use_case_metadata',
    deprecated: deprecated ?? false,
    example: { useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9', field, value, user: exampleUser },
  }),
);

const otherEventTypes: EventTypeDefinition[] = [
  {
    name: 'use_case_custom_field_updated',
    description: 'Triggered when a custom field is created, updated, or removed from a use case.',
    group: 'use_case_custom_field',
    deprecated: false,
    example: {
      customFieldId: 'qPSHywBSDF9HXwBVvrwKJ2',
      customFieldName: 'Target Review Date',
      customFieldType: 'number',
      useCaseId: 'QHG9s995aVztB6Xc3caXyW',
      user: { email: 'steven+1@credo.ai', givenName: 'Steven', role: 'admin' },
      value: '05/23/2024',
    },
  },
  {
    name: 'use_case_review_comment',
    description: 'Triggered when a comment is added to a review or a reply is made.',
    group: 'review',
    deprecated: false,
    example: {
      comment: 'Hello @[John Doe](users:MMC8qELwNoq9V27Y2cvqHf)',
      reviewId: 'yzbEcKRh3M6xNXYmuTownS',
      taggedUsers: [{ user: 'John Doe', user_id: 'MMC8qELwNoq9V27Y2cvqHf' }],
      useCaseId: 'QHG9s995aVztB6Xc3caXyW',
    },
  },
  {
    name: 'use_case_review_status_updated',
    description: 'Triggered when a review is created or its status changes.',
    group: 'review',
    deprecated: false,
    example: {
      reviewId: 'pu7BDgxfVnK4RTQyb88uL',
      status: 'in_progress',
      useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
      user: exampleUser,
    },
  },
  {
    name: 'use_case_review_task_status_updated',
    description: 'Triggered when the status or sub-status of a review task is updated.',
    group: 'review',
    deprecated: false,
    example: {
      assignedUserId: 'FSZqZLT8eFUUp53uTM6Ref',
      assignerId: 'FSZqZLT8eFUUp53uTM6Ref',
      reviewId: 'pu7BDgxfVnK4RTQyb88uL',
      status: 'done',
      subStatus: 'approve',
      useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
      user: exampleUser,
    },
  },
  {
    name: 'use_case_review_task_deleted',
    description: 'Triggered when a review task is removed from a use case.',
    group: 'review',
    deprecated: false,
    example: {
      assignedUserId: 'FSZqZLT8eFUUp53uTM6Ref',
      assignerId: 'FSZqZLT8eFUUp53uTM6Ref',
      reviewId: 'pu7BDgxfVnK4RTQyb88uL',
      useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
      user: exampleUser,
    },
  },
];

/** A webhook as the operational events' examples show it. */
const exampleWebhook = {
  id: 'wh_01JDZ8YQ3M4R5T6V7W8X9Y0Z1A',
  tenant: 'acme',
  attributes: {
    url: 'https://hooks.example.com/credo',
    description: 'Governance updates for the risk team',
    environment: 'production',
  },
};
const exampleHealth = {
  consecutiveFailures: 4,
  failingSince: '2026-11-27T09:00:05Z',
  lastFailureAt: '2026-11-27T09:35:12Z',
  lastFailureReason: 'endpoint answered 503',
};
const exampleAttempt = { time: '2026-11-27T09:35:12Z', status_code: 503, error: 'endpoint answered 503' };

const operationalEventTypes: EventTypeDefinition[] = [
  {
    name: 'webhook.disabled',
    description:
      'Herald: a webhook was disabled, by the customer (`trigger: manual`) or by Herald (`automatic`: its endpoint answered 410 Gone or kept failing). Never sent to the webhook it is about.',
    example: webhookDisabled(exampleWebhook, {
      trigger: 'automatic',
      reason:
        'Every attempt has failed since 2026-11-22T09:00:05Z (212 attempts); last: endpoint answered 503.',
      at: '2026-11-27T09:00:07Z',
      health: { ...exampleHealth, consecutiveFailures: 212, failingSince: '2026-11-22T09:00:05Z' },
      lastAttempt: { ...exampleAttempt, time: '2026-11-27T09:00:07Z' },
    }).data,
  },
  {
    name: 'webhook.enabled',
    description:
      'Herald: a disabled webhook was enabled again by the customer; its failure streak starts over.',
    example: webhookEnabled(exampleWebhook, { at: '2026-11-27T10:00:00Z', health: exampleHealth }).data,
  },
  {
    name: 'webhook.failing',
    description: `Herald: a webhook's endpoint failed ${failingThreshold} attempts in a row (once per streak of failures).`,
    example: webhookFailing(exampleWebhook, { health: exampleHealth, lastAttempt: exampleAttempt }).data,
  },
  {
    name: 'webhook.recovered',
    description: 'Herald: the first successful attempt after a webhook was reported failing.',
    example: webhookRecovered(exampleWebhook, {
      before: exampleHealth,
      lastAttempt: { time: '2026-11-27T10:05:00Z', status_code: 200, error: null },
    }).data,
  },
  {
    name: 'delivery.exhausted',
    description:
      'Herald: a delivery ran out of attempts and was dead-lettered (recover it with POST /webhooks/{id}/recover).',
    example: deliveryExhausted(exampleWebhook, {
      delivery: {
        id: 'msg_3q2-7wEjvZkTq9mT8bXc1A',
        eventId: '4f6c1b2e-8a7d-4e0f-9c3b-2d1e0f9a8b7c',
        eventType: 'use_case_review_status_updated',
      },
      attempts: 8,
      health: exampleHealth,
      lastAttempt: exampleAttempt,
    }).data,
  },
].map((definition): EventTypeDefinition => ({ ...definition, group: 'operational', deprecated: false }));

export const eventCatalog: readonly EventTypeDefinition[] = [
  ...metadataEventTypes,
  ...otherEventTypes,
  ...operationalEventTypes,
];

const byName = new Map(eventCatalog.map((t) => [t.name, t]));

export const eventTypeNames: readonly string[] = eventCatalog.map((t) => t.name);

/** The types the platform publishes: the catalog less Herald's own (source `herald`). */
export const platformEventTypeNames: readonly string[] = eventCatalog
  .filter((t) => t.group !== 'operational')
  .map((t) => t.name);

/** The catalog entry for a name, or undefined when Herald does not know the type. */
export function findEventType(name: string): EventTypeDefinition | undefined {
  return byName.get(name);
}
