import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  type HeraldError,
  ValidationError,
} from '../../functions/domain/errors';
import {
  parseCreateWebhook,
  parseDeliveryListQuery,
  parseRecovery,
  parseRotation,
  parseTestEvent,
  parseUpdateWebhook,
  parseWebhookListQuery,
} from '../../functions/shared/api-requests';
import { seedBodies } from '../helpers';

/** Requests parsed at the edge with the contract's schemas: typed input, or the API's errors. */

function thrown(run: () => unknown): HeraldError {
  try {
    run();
  } catch (error) {
    return error as HeraldError;
  }
  throw new Error('expected the request to be refused');
}

const where = (error: HeraldError) => error.problems.map((p) => [p.code, p.source]);
const id = 'wh_01jf0d8y3ywq3f1c0v9w8x7z6a';

describe('webhook documents', () => {
  it('hands the create use case the parsed attributes of both seed bodies', () => {
    expect(parseCreateWebhook(structuredClone(seedBodies.oAuth))).toEqual(seedBodies.oAuth.data.attributes);
    expect(
      parseCreateWebhook({ data: { attributes: { ...seedBodies.none.data.attributes, environment: '' } } }),
    ).toMatchObject({ environment: null });
  });

  it.each<[string, unknown, new (...args: never[]) => HeraldError, string, string]>([
    ['no object', [], BadRequestError, 'invalid_document', ''],
    ['no data', { attributes: {} }, BadRequestError, 'invalid_document', '/data'],
    [
      'another type',
      { data: { type: 'user', attributes: {} } },
      ConflictError,
      'type_mismatch',
      '/data/type',
    ],
    ['a client id', { data: { id: id, attributes: {} } }, ForbiddenError, 'client_generated_id', '/data/id'],
    ['a numeric id', { data: { id: 7, attributes: {} } }, BadRequestError, 'invalid_type', '/data/id'],
    ['no attributes', { data: { type: 'webhook' } }, ValidationError, 'required', '/data/attributes'],
    ['string attributes', { data: { attributes: 'x' } }, ValidationError, 'invalid_type', '/data/attributes'],
  ])('refuses a create document with %s', (_case, body, type, code, pointer) => {
    const error = thrown(() => parseCreateWebhook(body));
    expect(error).toBeInstanceOf(type);
    expect(where(error)).toEqual([[code, { pointer }]]);
  });

  it('names every attribute problem at once, under /data/attributes', () => {
    const error = thrown(() =>
      parseCreateWebhook({ data: { attributes: { url: 5, event_types: [], retries: 3 } } }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(where(error)).toEqual(
      expect.arrayContaining([
        ['required', { pointer: '/data/attributes/description' }],
        ['invalid_type', { pointer: '/data/attributes/url' }],
        ['too_short', { pointer: '/data/attributes/event_types' }],
        ['required', { pointer: '/data/attributes/authentication_method' }],
        ['unknown_attribute', { pointer: '/data/attributes/retries' }],
      ]),
    );
  });

  it('reads a PATCH with no attributes as an empty change, and refuses an id other than the path’s', () => {
    expect(parseUpdateWebhook({ data: { type: 'webhook', id } }, id)).toEqual({});
    const error = thrown(() => parseUpdateWebhook({ data: { id: 'wh_other', attributes: {} } }, id));
    expect(error).toBeInstanceOf(ConflictError);
    expect(where(error)).toEqual([['id_mismatch', { pointer: '/data/id' }]]);
  });
});

describe('action bodies', () => {
  it('reads a rotation’s grace period, absent when the body or any level leaves it out', () => {
    expect(parseRotation(undefined)).toBeUndefined();
    expect(parseRotation(null)).toBeUndefined();
    expect(parseRotation({ data: {} })).toBeUndefined();
    expect(parseRotation({ data: { attributes: { grace_period_seconds: 0 } } })).toBe(0);
  });

  it.each([
    ['x', ''],
    [{ data: 3 }, '/data'],
    [{ data: { attributes: [] } }, '/data/attributes'],
    [{ data: { attributes: { grace: 5 } } }, '/data/attributes/grace'],
    [{ data: { attributes: { grace_period_seconds: 1.5 } } }, '/data/attributes/grace_period_seconds'],
    [
      { data: { attributes: { grace_period_seconds: 7 * 86_400 + 1 } } },
      '/data/attributes/grace_period_seconds',
    ],
  ])('refuses the rotation body %j with 422 at %s', (body, pointer) => {
    const error = thrown(() => parseRotation(body));
    expect(error).toBeInstanceOf(ValidationError);
    expect(where(error)).toEqual([['invalid_attribute', { pointer }]]);
  });

  it('reads a recovery range, until optional', () => {
    expect(parseRecovery({ data: { attributes: { since: '2026-11-24T09:00:00Z' } } })).toEqual({
      since: '2026-11-24T09:00:00Z',
      until: null,
    });
    const error = thrown(() => parseRecovery({ data: { attributes: { since: 'yesterday' } } }));
    expect(where(error)).toEqual([['invalid_attribute', { pointer: '/data/attributes/since' }]]);
  });

  it('tells a missing test event type from a wrong one', () => {
    expect(parseTestEvent({ data: { attributes: { event_type: 'anything' } } })).toBe('anything');
    expect(where(thrown(() => parseTestEvent({ data: {} })))).toEqual([
      ['required', { pointer: '/data/attributes/event_type' }],
    ]);
    expect(where(thrown(() => parseTestEvent({ data: { attributes: { event_type: 3 } } })))).toEqual([
      ['unknown_event_type', { pointer: '/data/attributes/event_type' }],
    ]);
  });
});

describe('query parameters', () => {
  it('pages webhooks 20 at a time unless asked, and refuses sizes and cursors it cannot use', () => {
    expect(parseWebhookListQuery({})).toStrictEqual({ limit: 20 });
    expect(parseWebhookListQuery({ 'page[size]': '100', 'page[after]': id })).toStrictEqual({
      limit: 100,
      after: id,
    });
    for (const size of ['0', '101', '1e1', '-1', ' 5'])
      expect(where(thrown(() => parseWebhookListQuery({ 'page[size]': size })))).toEqual([
        ['invalid_page_size', { parameter: 'page[size]' }],
      ]);
    expect(where(thrown(() => parseWebhookListQuery({ 'page[after]': 'nope' })))).toEqual([
      ['invalid_cursor', { parameter: 'page[after]' }],
    ]);
  });

  it('reads the delivery filters under filter[...] or their plain names', () => {
    expect(
      parseDeliveryListQuery({
        status: 'failed',
        'filter[event_type]': 'use_case_review_comment',
        since: '2026-11-01T00:00:00Z',
        'filter[until]': '2026-11-02T00:00:00Z',
      }),
    ).toStrictEqual({
      limit: 20,
      status: 'failed',
      eventType: 'use_case_review_comment',
      since: '2026-11-01T00:00:00Z',
      until: '2026-11-02T00:00:00Z',
    });
  });

  it('names every bad delivery parameter at once, and an until before since', () => {
    const error = thrown(() =>
      parseDeliveryListQuery({
        'page[size]': '0',
        'page[after]': '!!',
        status: 'lost',
        event_type: 'nope',
        since: 'yesterday',
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.problems.map((p) => p.source?.parameter).sort()).toEqual(
      ['filter[event_type]', 'filter[since]', 'filter[status]', 'page[after]', 'page[size]'].sort(),
    );
    expect(error.problems.every((p) => p.code === 'invalid_parameter')).toBe(true);
    expect(
      where(
        thrown(() =>
          parseDeliveryListQuery({ since: '2026-11-02T00:00:00Z', until: '2026-11-01T00:00:00Z' }),
        ),
      ),
    ).toEqual([['invalid_parameter', { parameter: 'filter[until]' }]]);
  });
});
