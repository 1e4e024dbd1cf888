/**
 * The event types Herald delivers, from the seeds' "Supported Event Types". The catalog is the
 * single list the API validates subscriptions against, the bus rule matches, and the
 * `GET /webhook-event-types` endpoint publishes.
 */
export interface EventTypeDefinition {
  /** The event type as the platform publishes it (`DetailType`) and customers subscribe to it. */
  readonly name: string;
  readonly description: string;
  /** Which seed group it belongs to. */
  readonly group: 'use_case_metadata' | 'use_case_custom_field' | 'review';
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

export const eventCatalog: readonly EventTypeDefinition[] = [...metadataEventTypes, ...otherEventTypes];

const byName = new Map(eventCatalog.map((t) => [t.name, t]));

export const eventTypeNames: readonly string[] = eventCatalog.map((t) => t.name);

/** The catalog entry for a name, or undefined when Herald does not know the type. */
export function findEventType(name: string): EventTypeDefinition | undefined {
  return byName.get(name);
}
