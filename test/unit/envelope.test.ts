import {
  buildEnvelope,
  type Envelope,
  rfc3339Pattern,
  serializeEnvelope,
} from '../../functions/domain/envelope';

/** The seeds' wire example of a delivered body, verbatim. */
const seedEnvelope = {
  data: {
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
  },
  type: 'CredoAI.use_case_review_status_updated.v1',
  time: '2025-08-08T05:56:32.136590Z',
  source: 'CredoAI',
  subject: 'use_case_review_status_updated',
};

const eventId = '6a7e8feb-b491-4cf7-a9f1-bf3703467718';

function seedInput(affixes: { prefix?: string | null; suffix?: string | null }) {
  return {
    eventId,
    eventType: 'use_case_review_status_updated',
    data: seedEnvelope.data,
    time: seedEnvelope.time,
    source: 'CredoAI',
    ...affixes,
  };
}

/**
 * The CloudEvents 1.0 rules for a structured JSON event's attributes: the four required ones are
 * non-empty strings, `specversion` is 1.0, names are lowercase letters and digits, and the
 * optional ones Herald sets have their spec'd types.
 */
function cloudEventsViolations(event: Record<string, unknown>): string[] {
  const violations: string[] = [];
  for (const name of ['id', 'source', 'specversion', 'type']) {
    const value = event[name];
    if (typeof value !== 'string' || value === '') violations.push(`${name} must be a non-empty string`);
  }
  if (event.specversion !== '1.0') violations.push('specversion must be 1.0');
  for (const name of Object.keys(event)) {
    if (!/^[a-z0-9]{1,20}$/.test(name)) violations.push(`${name} is not a valid attribute name`);
  }
  if (typeof event.time !== 'string' || !rfc3339Pattern.test(event.time))
    violations.push('time must be RFC 3339');
  if (typeof event.subject !== 'string' || event.subject === '') violations.push('subject must be a string');
  if (event.datacontenttype !== 'application/json')
    violations.push('datacontenttype must be application/json');
  return violations;
}

describe('buildEnvelope', () => {
  it("reproduces the seed's delivered body, with the CloudEvents attributes after it", () => {
    const envelope = buildEnvelope(seedInput({ prefix: 'CredoAI', suffix: 'v1' }));
    expect(envelope).toEqual({
      ...seedEnvelope,
      id: eventId,
      specversion: '1.0',
      datacontenttype: 'application/json',
    });
    expect(Object.keys(envelope)).toEqual([
      'data',
      'type',
      'time',
      'source',
      'subject',
      'id',
      'specversion',
      'datacontenttype',
    ]);
  });

  it.each([
    [{ prefix: 'CredoAI', suffix: 'v1' }, 'CredoAI.use_case_review_status_updated.v1'],
    [{ prefix: 'CredoAI' }, 'CredoAI.use_case_review_status_updated'],
    [{ prefix: 'CredoAI', suffix: null }, 'CredoAI.use_case_review_status_updated'],
    [{ suffix: 'v1' }, 'use_case_review_status_updated.v1'],
    [{}, 'use_case_review_status_updated'],
    [{ prefix: '', suffix: '' }, 'use_case_review_status_updated'],
  ])('with affixes %j has type %s and the bare event type as subject', (affixes, type) => {
    const envelope = buildEnvelope(seedInput(affixes));
    expect(envelope.type).toBe(type);
    expect(envelope.subject).toBe('use_case_review_status_updated');
  });

  it('is a valid CloudEvents 1.0 structured event', () => {
    const envelope = buildEnvelope(seedInput({ prefix: 'CredoAI', suffix: 'v1' }));
    const onTheWire = JSON.parse(serializeEnvelope(envelope)) as Record<string, unknown>;
    expect(cloudEventsViolations(onTheWire)).toEqual([]);
  });

  it('writes a Date as an RFC 3339 UTC time', () => {
    const envelope = buildEnvelope({
      ...seedInput({}),
      time: new Date(Date.UTC(2025, 7, 8, 5, 56, 32, 136)),
    });
    expect(envelope.time).toBe('2025-08-08T05:56:32.136Z');
  });

  it.each([
    [{ time: 'yesterday' }, /RFC 3339/],
    [{ time: new Date(Number.NaN) }, /Invalid time value/],
    [{ eventId: '' }, /id must not be empty/],
    [{ source: '' }, /source must not be empty/],
  ])('refuses %j, a bug upstream', (change, message) => {
    expect(() => buildEnvelope({ ...seedInput({}), ...change })).toThrow(message);
  });
});

describe('serializeEnvelope', () => {
  it('gives the JSON of the envelope, the seed fields first as on the wire', () => {
    const envelope: Envelope = buildEnvelope(seedInput({ prefix: 'CredoAI', suffix: 'v1' }));
    const body = serializeEnvelope(envelope);
    expect(body.startsWith('{"data":{"status":"in_progress","user":{"email":"cemenenkoff@credo.ai"')).toBe(
      true,
    );
    expect(body.endsWith(`"id":"${eventId}","specversion":"1.0","datacontenttype":"application/json"}`)).toBe(
      true,
    );
    expect(JSON.parse(body)).toEqual(envelope);
  });
});
