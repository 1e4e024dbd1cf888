import fc from 'fast-check';
import { eventCatalog } from '../../functions/domain/event-catalog';
import { dataSchemaFor, describeIssues } from '../../functions/domain/event-schemas';
import { type BusEvent, parsePlatformEvent } from '../../functions/domain/platform-event';

/** Each seed example's `data`, copied verbatim from the seeds' "Event Types" section. */
const seedData: Record<string, Record<string, unknown>> = {
  use_case_custom_field_updated: {
    customFieldId: 'qPSHywBSDF9HXwBVvrwKJ2',
    customFieldName: 'Target Review Date',
    customFieldType: 'number',
    useCaseId: 'QHG9s995aVztB6Xc3caXyW',
    user: { email: 'steven+1@credo.ai', givenName: 'Steven', role: 'admin' },
    value: '05/23/2024',
  },
  use_case_review_comment: {
    comment: 'Hello @[John Doe](users:MMC8qELwNoq9V27Y2cvqHf)',
    reviewId: 'yzbEcKRh3M6xNXYmuTownS',
    taggedUsers: [{ user: 'John Doe', user_id: 'MMC8qELwNoq9V27Y2cvqHf' }],
    useCaseId: 'QHG9s995aVztB6Xc3caXyW',
  },
  use_case_review_status_updated: {
    reviewId: 'pu7BDgxfVnK4RTQyb88uL',
    status: 'in_progress',
    useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
    user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
  },
  use_case_review_task_status_updated: {
    assignedUserId: 'FSZqZLT8eFUUp53uTM6Ref',
    assignerId: 'FSZqZLT8eFUUp53uTM6Ref',
    reviewId: 'pu7BDgxfVnK4RTQyb88uL',
    status: 'done',
    subStatus: 'approve',
    useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
    user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
  },
  use_case_review_task_deleted: {
    assignedUserId: 'FSZqZLT8eFUUp53uTM6Ref',
    assignerId: 'FSZqZLT8eFUUp53uTM6Ref',
    reviewId: 'pu7BDgxfVnK4RTQyb88uL',
    useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
    user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
  },
};

/** The seeds' wire example: extra `eventType`, and a fuller user with `job: null`. */
const wireReviewStatus = {
  status: 'in_progress',
  user: {
    email: 'cemenenkoff@credo.ai',
    role: 'admin',
    job: null,
    userId: 'YNYykoSUoCxTtHtCrsmybE',
    nickname: 'Nick',
    familyName: 'Cemenenkoff',
    givenName: 'Nick',
  },
  eventType: 'use_case_review_status_updated',
  useCaseId: 'SeFqMYkJTSqe6fXgL7GryZ',
  reviewId: 'L7BNWLapGiuMQVNEwuS49N',
};

/** The problems a schema reports for `data`; fails the test when the data is accepted. */
function problemsFor(eventType: string, data: unknown): string[] {
  const schema = dataSchemaFor(eventType);
  if (!schema) throw new Error(`no schema for ${eventType}`);
  const result = schema.safeParse(data);
  if (result.success) throw new Error(`expected ${eventType} data to be refused`);
  return describeIssues(result.error, 'data');
}

function accepts(eventType: string, data: unknown): boolean {
  return dataSchemaFor(eventType)?.safeParse(data).success ?? false;
}

describe('event data schemas', () => {
  it.each(eventCatalog.map((definition) => [definition.name, definition]))(
    'accepts the catalog example of %s',
    (name, definition) => {
      expect(dataSchemaFor(name)).toBeDefined();
      expect(accepts(name, definition.example)).toBe(true);
    },
  );

  it.each(Object.entries(seedData))('accepts the seed example of %s', (name, data) => {
    expect(accepts(name, data)).toBe(true);
  });

  it('accepts the wire example with extra fields and job: null', () => {
    expect(accepts('use_case_review_status_updated', wireReviewStatus)).toBe(true);
  });

  it('has no schema for a type outside the catalog', () => {
    expect(dataSchemaFor('use_case_deleted')).toBeUndefined();
  });

  it.each([
    ['use_case_review_status_updated', { reviewId: 5 }, 'data.reviewId must be a string, not a number'],
    ['use_case_review_status_updated', { user: 'bob' }, 'data.user must be an object, not a string'],
    ['use_case_review_status_updated', { status: undefined }, 'data.status is required'],
    ['use_case_review_status_updated', { user: { job: 7 } }, 'data.user.job must be a string, not a number'],
    ['use_case_review_comment', { taggedUsers: 'x' }, 'data.taggedUsers must be an array, not a string'],
    [
      'use_case_review_comment',
      { taggedUsers: [{ user: 'John Doe', user_id: 42 }] },
      'data.taggedUsers[0].user_id must be a string, not a number',
    ],
    ['use_case_review_task_status_updated', { subStatus: null }, 'data.subStatus must be a string, not null'],
    ['use_case_review_task_deleted', { assignerId: '' }, 'data.assignerId: String must contain at least 1'],
    ['use_case_custom_field_updated', { value: { when: new Date(0) } }, 'data.value must be a JSON value'],
    ['use_case_name_updated', { useCaseId: ['x'] }, 'data.useCaseId must be a string, not an array'],
  ])('refuses %s data with %j, naming the field', (name, change, message) => {
    const base = name.startsWith('use_case_name') ? { useCaseId: 'u' } : seedData[name];
    const problems = problemsFor(name, { ...base, ...change });
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  it.each([['05/23/2024'], [12], [true], [null], [['a', 1]], [{ nested: { list: [null] } }]])(
    'accepts any JSON value as a custom field value: %j',
    (value) => {
      expect(
        accepts('use_case_custom_field_updated', { ...seedData.use_case_custom_field_updated, value }),
      ).toBe(true);
    },
  );

  it('requires the custom field value to be present', () => {
    const { value: _, ...withoutValue } = seedData.use_case_custom_field_updated ?? {};
    expect(problemsFor('use_case_custom_field_updated', withoutValue)).toEqual(['data.value is required']);
  });

  it.each(eventCatalog.filter((d) => d.group === 'use_case_metadata').map((d) => [d.name]))(
    'lets %s carry anything beside a useCaseId',
    (name) => {
      expect(accepts(name, { useCaseId: 'u', field: 'x', value: { any: [1, 'two'] }, extra: true })).toBe(
        true,
      );
      expect(problemsFor(name, { field: 'x' })).toEqual(['data.useCaseId is required']);
    },
  );
});

function busEvent(overrides: Partial<BusEvent> = {}, detail: unknown = undefined): BusEvent {
  return {
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'use_case_review_status_updated',
    source: 'CredoAI',
    time: '2025-08-08T05:56:32Z',
    detail: detail ?? { tenant: 'acme', environment: 'production', data: wireReviewStatus },
    ...overrides,
  };
}

describe('parsePlatformEvent', () => {
  it('reads the seed wire example into an event to deliver', () => {
    expect(parsePlatformEvent(busEvent())).toEqual({
      ok: true,
      event: {
        eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        eventType: 'use_case_review_status_updated',
        tenant: 'acme',
        environment: 'production',
        time: '2025-08-08T05:56:32Z',
        source: 'CredoAI',
        data: wireReviewStatus,
      },
    });
  });

  it("keeps the platform's data as sent, key order included", () => {
    const parsed = parsePlatformEvent(busEvent());
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(Object.keys(parsed.event.data)).toEqual(Object.keys(wireReviewStatus));
    expect(parsed.event.data.user).toBe(wireReviewStatus.user);
  });

  it("prefers the platform's own event id, so its retries are the same event", () => {
    const parsed = parsePlatformEvent(
      busEvent({}, { tenant: 'acme', id: 'evt_123', data: wireReviewStatus }),
    );
    expect(parsed).toMatchObject({ ok: true, event: { eventId: 'evt_123', environment: null } });
  });

  it('reads an explicit null environment as no environment', () => {
    const parsed = parsePlatformEvent(
      busEvent({}, { tenant: 'acme', environment: null, data: wireReviewStatus }),
    );
    expect(parsed).toMatchObject({ ok: true, event: { environment: null } });
  });

  it('accepts a deprecated event type', () => {
    const parsed = parsePlatformEvent(
      busEvent(
        { 'detail-type': 'use_case_governance_status_updated' },
        { tenant: 'acme', data: { useCaseId: 'u' } },
      ),
    );
    expect(parsed.ok).toBe(true);
  });

  it('refuses an event type outside the catalog', () => {
    expect(parsePlatformEvent(busEvent({ 'detail-type': 'use_case_deleted' }))).toEqual({
      ok: false,
      reason: 'unknown_event_type',
      problems: ['detail-type use_case_deleted is not an event type in the catalog'],
    });
  });

  it.each([
    [{ data: wireReviewStatus }, 'detail.tenant is required'],
    [{ tenant: 'Acme Corp', data: wireReviewStatus }, 'detail.tenant: must be 1 to 63'],
    [{ tenant: 'acme' }, 'detail.data is required'],
    [{ tenant: 'acme', data: [wireReviewStatus] }, 'detail.data must be an object, not an array'],
    [{ tenant: 'acme', environment: 3, data: wireReviewStatus }, 'detail.environment must be a string'],
    [{ tenant: 'acme', id: 'has space', data: wireReviewStatus }, 'detail.id: must be 1 to 128 visible'],
    [{ tenant: 'acme', id: 'x'.repeat(129), data: wireReviewStatus }, 'detail.id: must be 1 to 128 visible'],
    ['not an object', 'detail must be an object, not a string'],
  ])('refuses the detail %j', (detail, message) => {
    const parsed = parsePlatformEvent(busEvent({}, detail));
    expect(parsed).toEqual({
      ok: false,
      reason: 'invalid_detail',
      problems: [expect.stringContaining(message)],
    });
  });

  it("refuses data that fails the event type's schema, naming the field", () => {
    const parsed = parsePlatformEvent(
      busEvent({}, { tenant: 'acme', data: { ...wireReviewStatus, reviewId: 5, user: 'bob' } }),
    );
    expect(parsed).toEqual({
      ok: false,
      reason: 'invalid_data',
      problems: [
        'detail.data.reviewId must be a string, not a number',
        'detail.data.user must be an object, not a string',
      ],
    });
  });

  it('refuses an EventBridge event without an RFC 3339 time', () => {
    expect(parsePlatformEvent(busEvent({ time: 'yesterday' }))).toMatchObject({
      ok: false,
      reason: 'invalid_event',
      problems: ['event.time: must be an RFC 3339 date-time'],
    });
  });

  it('never throws, whatever it is given', () => {
    const cyclic: Record<string, unknown> = { ...seedData.use_case_custom_field_updated };
    cyclic.value = { self: cyclic };
    const hostile = Object.defineProperty({}, 'detail-type', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    for (const input of [
      null,
      undefined,
      42,
      [],
      hostile,
      busEvent({ 'detail-type': 'use_case_custom_field_updated' }, { tenant: 'acme', data: cyclic }),
    ]) {
      expect(parsePlatformEvent(input as unknown as BusEvent)).toMatchObject({ ok: false });
    }
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (detail, event) => {
        parsePlatformEvent(busEvent({}, detail));
        parsePlatformEvent(event as BusEvent);
      }),
    );
  });
});
