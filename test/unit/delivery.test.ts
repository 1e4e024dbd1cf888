import fc from 'fast-check';
import { deliveryMessageSchema, parseDeliveryMessage } from '../../functions/domain/delivery';

/**
 * `parseDeliveryMessage` is the delivery function's hand-written stand-in for
 * `deliveryMessageSchema.safeParse`: it must accept and refuse exactly what the schema does, and
 * return what zod returns (the schema's keys only, in the schema's order, `data` by reference).
 */
const valid = {
  deliveryId: 'msg_AAAAAAAAAAAAAAAAAAAAAA',
  eventId: 'evt-1',
  eventType: 'use_case_review_status_updated',
  tenant: 'acme',
  environment: 'production',
  webhookId: 'wh_01kb4x7s9rm3q8k2n6v0d5c1hz',
  time: '2026-03-01T11:59:58.123456Z',
  source: 'CredoAI',
  data: { reviewId: 'pu7BDgxfVnK4RTQyb88uL', status: 'in_progress', user: { job: null } },
};

const requiredStrings = [
  'deliveryId',
  'eventId',
  'eventType',
  'tenant',
  'webhookId',
  'time',
  'source',
] as const;

function without(key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...valid };
  delete copy[key];
  return copy;
}

/** zod reads an object with `then` and `catch` functions as a promise, and refuses it. */
const withThen = (more: object) =>
  Object.assign(Object.fromEntries([['then', () => undefined]]), valid, more);

/** [what, input]: every field's accepted and refused values, and inputs zod treats specially. */
const table: Array<[string, unknown]> = [
  ['a message from the router', valid],
  ...(['event', 'retry', 'recover', 'test'] as const).map((origin): [string, unknown] => [
    `origin ${origin}`,
    { ...valid, origin },
  ]),
  ['an unknown origin', { ...valid, origin: 'replay' }],
  ['origin null', { ...valid, origin: null }],
  ['origin undefined, key present', { ...valid, origin: undefined }],
  ['origin a number', { ...valid, origin: 1 }],
  ['origin in another case', { ...valid, origin: 'Event' }],
  ...[0, 1, 3, 2 ** 53, -0].map((n): [string, unknown] => [
    `attemptOffset ${n}`,
    { ...valid, attemptOffset: n },
  ]),
  ...[-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, true, 2n].map((n): [string, unknown] => [
    `attemptOffset ${String(n)}`,
    { ...valid, attemptOffset: n },
  ]),
  ['attemptOffset undefined, key present', { ...valid, attemptOffset: undefined }],
  ['both optional fields', { ...valid, origin: 'recover', attemptOffset: 4 }],
  ...[0, 2, 2 ** 53].map((n): [string, unknown] => [`receivesBefore ${n}`, { ...valid, receivesBefore: n }]),
  ...[-1, 0.5, Number.NaN, '2', null].map((n): [string, unknown] => [
    `receivesBefore ${String(n)}`,
    { ...valid, receivesBefore: n },
  ]),
  ['receivesBefore undefined, key present', { ...valid, receivesBefore: undefined }],
  ...requiredStrings.flatMap(
    (key): Array<[string, unknown]> => [
      [`${key} missing`, without(key)],
      [`${key} empty`, { ...valid, [key]: '' }],
      [`${key} a number`, { ...valid, [key]: 1 }],
      [`${key} null`, { ...valid, [key]: null }],
      [`${key} a String object`, { ...valid, [key]: new String('x') }],
      [`${key} one character`, { ...valid, [key]: 'x' }],
    ],
  ),
  ['environment null', { ...valid, environment: null }],
  ['environment empty', { ...valid, environment: '' }],
  ['environment missing', without('environment')],
  ['environment a number', { ...valid, environment: 7 }],
  ['data empty', { ...valid, data: {} }],
  ['data an array', { ...valid, data: [] }],
  ['data null', { ...valid, data: null }],
  ['data a string', { ...valid, data: '{}' }],
  ['data missing', without('data')],
  ['data a function', { ...valid, data: () => ({}) }],
  ['data a Date', { ...valid, data: new Date(0) }],
  ['data a Map', { ...valid, data: new Map() }],
  ['data without prototype', { ...valid, data: Object.create(null) }],
  ['an extra key', { ...valid, extra: 'dropped' }],
  ['keys in another order', Object.fromEntries(Object.entries(valid).reverse())],
  ['a __proto__ key from JSON', JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(valid).slice(1)}`)],
  ['fields inherited from a prototype', Object.create(valid)],
  ['an object with then but no catch', withThen({})],
  ['a thenable', withThen({ catch: () => undefined })],
  ['a promise', Object.assign(Promise.resolve(), valid)],
  ['an array', Object.assign([], valid)],
  ['a Map', Object.assign(new Map(), valid)],
  ['a Set', Object.assign(new Set(), valid)],
  ['a Date', Object.assign(new Date(0), valid)],
  ['null', null],
  ['undefined', undefined],
  ['a string', JSON.stringify(valid)],
  ['a number', 1],
  ['an empty object', {}],
];

/** What zod makes of `input`: its output, or undefined when it refuses. */
function zodParse(input: unknown) {
  const parsed = deliveryMessageSchema.safeParse(input);
  return parsed.success ? parsed.data : undefined;
}

function expectSameAsZod(input: unknown): void {
  const expected = zodParse(input);
  const actual = parseDeliveryMessage(input);
  expect(actual).toStrictEqual(expected);
  if (expected && actual) {
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expect(actual.data).toBe(expected.data);
  }
}

describe('parseDeliveryMessage', () => {
  it.each(table)('does what deliveryMessageSchema.safeParse does: %s', (_what, input) => {
    expectSameAsZod(input);
  });

  it('accepts some and refuses some of the table, so the comparison means something', () => {
    const accepted = table.filter(([, input]) => parseDeliveryMessage(input) !== undefined).length;
    expect(accepted).toBeGreaterThan(10);
    expect(table.length - accepted).toBeGreaterThan(40);
  });

  it('returns a copy without the keys the schema does not know', () => {
    const parsed = parseDeliveryMessage({ ...valid, extra: 'dropped' });
    expect(parsed).toEqual(valid);
    expect(parsed).not.toHaveProperty('extra');
  });

  it('does what the schema does on random messages, each field valid, invalid or missing', () => {
    const absent = Symbol('absent');
    const anything = fc.oneof(
      fc.string({ maxLength: 3 }),
      fc.integer({ min: -2, max: 2 }),
      fc.double(),
      fc.constantFrom(null, true, undefined, [], {}, 'event', 'retry', 'recover', 'test'),
    );
    // Mostly good values, so that a fair share of the messages pass and the rest fail on a field or two.
    const field = (good: fc.Arbitrary<unknown>) =>
      fc.oneof({ arbitrary: good, weight: 30 }, anything, fc.constant(absent));
    const messages = fc
      .record({
        ...Object.fromEntries(requiredStrings.map((key) => [key, field(fc.string({ minLength: 1 }))])),
        environment: field(fc.option(fc.string(), { nil: null })),
        data: field(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 })),
        origin: field(fc.constantFrom('event', 'retry', 'recover', 'test', absent)),
        attemptOffset: field(fc.oneof(fc.nat(), fc.constant(absent))),
        receivesBefore: field(fc.oneof(fc.nat(), fc.constant(absent))),
        extra: field(anything),
      })
      .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== absent)));
    let accepted = 0;
    fc.assert(
      fc.property(messages, (input) => {
        expectSameAsZod(input);
        if (zodParse(input)) accepted++;
      }),
      { numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(400);
    expect(accepted).toBeLessThan(1_800);
  });
});
