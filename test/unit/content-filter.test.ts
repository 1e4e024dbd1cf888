import fc from 'fast-check';
import {
  type ContentFilter,
  type FilterableEvent,
  matchesFilter,
} from '../../functions/domain/content-filter';
import { filterLimits, filterProblems } from '../../functions/domain/content-filter-schema';

/**
 * The payload filter's matcher (EventBridge content filtering, on `{ type, environment, data }`)
 * and its validation: the edge cases EventBridge documents, as a table, and properties that tie
 * each operator to the JavaScript comparison it stands for.
 */

const event = (
  data: Record<string, unknown>,
  environment: string | null = 'production',
): FilterableEvent => ({
  type: 'use_case_review_status_updated',
  environment,
  data,
});

const sample = event({
  status: 'approved',
  score: 72,
  reviewer: { name: 'Ada', team: 'risk' },
  tags: ['eu', 'gdpr'],
  items: [
    { sku: 'a', qty: 1 },
    { sku: 'b', qty: 5 },
  ],
  note: null,
  flagged: false,
  empty: [],
});

describe('matchesFilter: the documented cases', () => {
  const cases: [string, ContentFilter, boolean][] = [
    ['an exact string', { data: { status: ['approved'] } }, true],
    ['an exact string that differs', { data: { status: ['rejected'] } }, false],
    ['any of a list', { data: { status: ['rejected', 'approved'] } }, true],
    ['the type', { type: ['use_case_review_status_updated'] }, true],
    ['the environment', { environment: ['staging'] }, false],
    ['a number', { data: { score: [72] } }, true],
    ['a number is not its string', { data: { score: ['72'] } }, false],
    ['a boolean', { data: { flagged: [false] } }, true],
    ['null', { data: { note: [null] } }, true],
    ['nested keys', { data: { reviewer: { team: ['risk'] } } }, true],
    ['every key must match', { data: { status: ['approved'], score: [1] } }, false],
    ['an array in the event, one element matching', { data: { tags: ['gdpr'] } }, true],
    ['an array in the event: none matching', { data: { tags: ['us'] } }, false],
    ['a nested pattern under an array of objects', { data: { items: { sku: ['b'] } } }, true],
    ['array elements matched whole, not mixed', { data: { items: { sku: ['a'], qty: [5] } } }, false],
    ['array elements matched whole', { data: { items: { sku: ['b'], qty: [5] } } }, true],
    ['a key absent from the event', { data: { missing: ['x'] } }, false],
    ['anything-but on an absent key', { data: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['exists: true', { data: { status: [{ exists: true }] } }, true],
    ['exists: true on null', { data: { note: [{ exists: true }] } }, true],
    ['exists: false on an absent key', { data: { missing: [{ exists: false }] } }, true],
    ['exists: false under an absent parent', { data: { nothing: { here: [{ exists: false }] } } }, true],
    ['exists: false on a present key', { data: { status: [{ exists: false }] } }, false],
    ['exists on an object (operators see leaves only)', { data: { reviewer: [{ exists: true }] } }, false],
    ['exists: false on an empty array', { data: { empty: [{ exists: false }] } }, true],
    ['exists: false on a missing environment', { environment: [{ exists: false }] }, false],
    ['prefix', { data: { status: [{ prefix: 'app' }] } }, true],
    ['prefix ignoring case', { data: { status: [{ prefix: { 'equals-ignore-case': 'APP' } }] } }, true],
    ['suffix', { data: { status: [{ suffix: 'ved' }] } }, true],
    ['suffix ignoring case', { data: { status: [{ suffix: { 'equals-ignore-case': 'VED' } }] } }, true],
    ['prefix on a number', { data: { score: [{ prefix: '7' }] } }, false],
    ['equals-ignore-case', { data: { status: [{ 'equals-ignore-case': 'APPROVED' }] } }, true],
    ['anything-but a value', { data: { status: [{ 'anything-but': 'approved' }] } }, false],
    ['anything-but a list', { data: { status: [{ 'anything-but': ['rejected', 'pending'] }] } }, true],
    ['anything-but a string, on a number', { data: { score: [{ 'anything-but': 'approved' }] } }, true],
    ['anything-but a number', { data: { score: [{ 'anything-but': 72 }] } }, false],
    ['anything-but a prefix', { data: { status: [{ 'anything-but': { prefix: 'rej' } }] } }, true],
    ['anything-but a suffix', { data: { status: [{ 'anything-but': { suffix: 'ved' } }] } }, false],
    [
      'anything-but ignoring case',
      { data: { status: [{ 'anything-but': { 'equals-ignore-case': 'APPROVED' } }] } },
      false,
    ],
    ['anything-but on an array: one element outside', { data: { tags: [{ 'anything-but': 'eu' }] } }, true],
    ['numeric range', { data: { score: [{ numeric: ['>', 0, '<=', 72] }] } }, true],
    ['numeric range, upper bound first', { data: { score: [{ numeric: ['<', 100, '>=', 72] }] } }, true],
    ['numeric outside', { data: { score: [{ numeric: ['>', 72] }] } }, false],
    ['numeric =', { data: { score: [{ numeric: ['=', 72] }] } }, true],
    ['numeric on a string', { data: { status: [{ numeric: ['>', 0] }] } }, false],
    ['numeric on an array of numbers', { data: { items: { qty: [{ numeric: ['>=', 5] }] } } }, true],
    ['or across conditions', { data: { score: [{ numeric: ['<', 0] }, 72] } }, true],
  ];
  test.each(cases)('%s', (_name, filter, expected) => {
    expect(matchesFilter(filter, sample)).toBe(expected);
  });

  it('treats an event without an environment as one without the key', () => {
    expect(matchesFilter({ environment: [{ exists: false }] }, event({}, null))).toBe(true);
    expect(matchesFilter({ environment: [null] }, event({}, null))).toBe(false);
  });

  it('matches nothing, and does not throw, where the stored pattern cannot be read', () => {
    for (const broken of [
      { data: 'x' },
      { data: [{ numeric: 'x' }] },
      { data: [{ nope: 1 }] },
      { data: [[1]] },
    ]) {
      expect(matchesFilter(broken, sample)).toBe(false);
    }
  });
});

// Leaf values as JSON has them, numbers kept to those a filter may hold.
const scalar = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const key = fc
  .string({ minLength: 1, maxLength: 6 })
  .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
const data = fc.dictionary(key, fc.oneof(scalar, fc.dictionary(key, scalar, { maxKeys: 3 })), { maxKeys: 5 });

/** The pattern that asks for exactly the event's values: every leaf as `[value]`. */
function exactPatternOf(value: Record<string, unknown>): ContentFilter {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? [k, Object.keys(v).length > 0 ? exactPatternOf(v as Record<string, unknown>) : [{ exists: false }]]
        : [k, [v]],
    ),
  );
}

describe('matchesFilter: properties', () => {
  it('an exact-value pattern built from an event matches it', () => {
    fc.assert(
      fc.property(data, (d) => {
        const e = event(d);
        expect(
          matchesFilter({ type: [e.type], environment: ['production'], data: exactPatternOf(d) }, e),
        ).toBe(true);
      }),
    );
  });

  it('anything-but v and v never both match a value, and one of them always does', () => {
    fc.assert(
      fc.property(scalar, scalar, (v, actual) => {
        const exact = matchesFilter({ data: { x: [v] } }, event({ x: actual }));
        const but = matchesFilter({ data: { x: [{ 'anything-but': v }] } }, event({ x: actual }));
        expect(exact).not.toBe(but);
      }),
    );
  });

  it('prefix and suffix agree with startsWith and endsWith', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), (affix, value) => {
        expect(matchesFilter({ data: { x: [{ prefix: affix }] } }, event({ x: value }))).toBe(
          value.startsWith(affix),
        );
        expect(matchesFilter({ data: { x: [{ suffix: affix }] } }, event({ x: value }))).toBe(
          value.endsWith(affix),
        );
        expect(
          matchesFilter({ data: { x: [{ 'anything-but': { prefix: affix } }] } }, event({ x: value })),
        ).toBe(!value.startsWith(affix));
      }),
    );
  });

  it('prefix in an affix is found whatever the value goes on with', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (head, tail) => {
        expect(matchesFilter({ data: { x: [{ prefix: head }] } }, event({ x: head + tail }))).toBe(true);
        expect(matchesFilter({ data: { x: [{ suffix: tail }] } }, event({ x: head + tail }))).toBe(true);
      }),
    );
  });

  it('numeric ranges agree with comparisons', () => {
    const lower = fc.constantFrom('>', '>=');
    const upper = fc.constantFrom('<', '<=');
    const n = fc.integer({ min: -50, max: 50 });
    const holds = (op: string, a: number, b: number) =>
      ({ '>': a > b, '>=': a >= b, '<': a < b, '<=': a <= b, '=': a === b })[op];
    fc.assert(
      fc.property(lower, n, upper, n, n, (lo, low, up, high, value) => {
        const matched = matchesFilter(
          { data: { x: [{ numeric: [lo, low, up, high] }] } },
          event({ x: value }),
        );
        expect(matched).toBe(holds(lo, value, low) && holds(up, value, high));
        const single = matchesFilter({ data: { x: [{ numeric: ['=', low] }] } }, event({ x: value }));
        expect(single).toBe(value === low);
      }),
    );
  });

  it('equals-ignore-case agrees with comparing lower case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (a, b) => {
        expect(matchesFilter({ data: { x: [{ 'equals-ignore-case': a }] } }, event({ x: b }))).toBe(
          a.toLowerCase() === b.toLowerCase(),
        );
      }),
    );
  });

  it('an array in the event matches when one of its elements would', () => {
    fc.assert(
      fc.property(fc.array(scalar, { minLength: 1, maxLength: 5 }), scalar, (values, wanted) => {
        const whole = matchesFilter({ data: { x: [wanted] } }, event({ x: values }));
        const some = values.some((v) => matchesFilter({ data: { x: [wanted] } }, event({ x: v })));
        expect(whole).toBe(some);
      }),
    );
  });

  it('never throws, whatever JSON the stored pattern and the event hold', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (pattern, d) => {
        const filter =
          typeof pattern === 'object' && pattern !== null && !Array.isArray(pattern) ? pattern : {};
        const payload = typeof d === 'object' && d !== null && !Array.isArray(d) ? d : {};
        expect(typeof matchesFilter(filter, event(payload))).toBe('boolean');
      }),
    );
  });
});

describe('filterProblems', () => {
  const codesAt = (filter: unknown) => filterProblems(filter).map((p) => [p.path.join('/'), p.code]);

  it('accepts each operator in its documented forms', () => {
    const filter = {
      type: ['use_case_review_status_updated'],
      environment: [{ 'anything-but': ['qa', 'sandbox'] }],
      data: {
        a: ['x', 1, true, null],
        b: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'X' } }, { suffix: '.png' }],
        c: [{ 'anything-but': 1 }, { 'anything-but': [1, 2] }, { 'anything-but': { prefix: 'x' } }],
        d: [{ 'anything-but': { suffix: 'x' } }, { 'anything-but': { 'equals-ignore-case': ['a', 'B'] } }],
        e: [{ numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 3.5] }, { exists: false }],
        f: { g: [{ 'equals-ignore-case': 'Y' }] },
      },
    };
    expect(filterProblems(filter)).toEqual([]);
  });

  it.each([
    [
      'an unknown operator',
      { data: { a: [{ contains: 'x' }] } },
      [['data/a/0/contains', 'unknown_operator']],
    ],
    ['a wrong operand type', { data: { a: [{ prefix: 5 }] } }, [['data/a/0/prefix', 'invalid_type']]],
    ['exists not a boolean', { data: { a: [{ exists: 'yes' }] } }, [['data/a/0/exists', 'invalid_type']]],
    [
      'a numeric bound not a number',
      { data: { a: [{ numeric: ['>', '5'] }] } },
      [['data/a/0/numeric/1', 'invalid_value']],
    ],
    [
      'a numeric operator unknown',
      { data: { a: [{ numeric: ['!=', 5] }] } },
      [['data/a/0/numeric/0', 'invalid_value']],
    ],
    [
      'two lower bounds',
      { data: { a: [{ numeric: ['>', 1, '>=', 5] }] } },
      [['data/a/0/numeric', 'invalid_value']],
    ],
    [
      'a numeric of 3 items',
      { data: { a: [{ numeric: ['>', 1, '<'] }] } },
      [['data/a/0/numeric', 'invalid_value']],
    ],
    [
      'two operators in one object',
      { data: { a: [{ prefix: 'x', suffix: 'y' }] } },
      [['data/a/0', 'invalid_value']],
    ],
    ['a bare value', { data: { a: 'x' } }, [['data/a', 'invalid_type']]],
    ['an empty condition list', { data: { a: [] } }, [['data/a', 'invalid_value']]],
    ['an empty nested pattern', { data: { a: {} } }, [['data/a', 'invalid_value']]],
    ['a key outside the event', { detail: { a: ['x'] } }, [['detail', 'unknown_field']]],
    ['an array as a condition', { data: { a: [['x']] } }, [['data/a/0', 'invalid_type']]],
    ['a reserved key', JSON.parse('{"data":{"__proto__":["x"]}}'), [['data/__proto__', 'invalid_value']]],
    ['an inexact number', { data: { a: [2 ** 60] } }, [['data/a/0', 'invalid_value']]],
    ['not an object', ['x'], [['', 'invalid_type']]],
  ])('points at %s', (_name, filter, expected) => {
    expect(codesAt(filter)).toEqual(expected);
  });

  it(`refuses a filter deeper than ${filterLimits.depth} levels, pointing at the first too deep`, () => {
    // The filter is level 1, `data` 2, each nested key one more, the condition array the last.
    let pattern: Record<string, unknown> = { z: ['x'] };
    for (let level = 0; level < filterLimits.depth - 3; level++) pattern = { n: pattern };
    expect(filterProblems({ data: pattern })).toEqual([]);
    const deeper = { data: { n: pattern } };
    const problems = filterProblems(deeper);
    expect(problems.map((p) => p.code)).toEqual(['too_deep']);
    expect(problems[0]?.path).toEqual(['data', ...Array(filterLimits.depth - 2).fill('n'), 'z']);
  });

  it(`refuses a filter over ${filterLimits.bytes} bytes as JSON`, () => {
    const values = Array.from({ length: 400 }, (_, i) => `value-${i}`);
    expect(codesAt({ data: { a: values } })).toEqual([['', 'too_long']]);
  });
});
