import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent } from 'aws-lambda';
import {
  BadRequestError,
  type HeraldError,
  NotFoundError,
  PayloadTooLargeError,
  QuotaExceededError,
  RateLimitedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../functions/domain/errors';
import type { Principal } from '../../functions/domain/use-cases/auth';
import { policyAllows, tenantPolicy } from '../../functions/shared/authorizer-policy';
import { errorResponse, maxBodyBytes, nestingDepth, readJsonBody } from '../../functions/shared/jsonapi';
import { seedBodies } from '../helpers';

type BodyEvent = Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>;

function request(body: string | null, contentType?: string, isBase64Encoded = false): BodyEvent {
  return { headers: contentType === undefined ? {} : { 'Content-Type': contentType }, body, isBase64Encoded };
}

function errorFrom(run: () => unknown): HeraldError {
  try {
    run();
  } catch (error) {
    return error as HeraldError;
  }
  throw new Error('expected an error');
}

const seedJson = JSON.stringify(seedBodies.none);

describe('readJsonBody', () => {
  it.each([
    'application/json',
    'application/vnd.api+json',
    'application/vnd.api+json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
  ])('reads a body sent as %s', (contentType) => {
    expect(readJsonBody(request(seedJson, contentType))).toEqual(seedBodies.none);
  });

  it('finds the content type whatever the case of the header name', () => {
    const event: BodyEvent = {
      headers: { 'content-type': 'application/json' },
      body: seedJson,
      isBase64Encoded: false,
    };
    expect(readJsonBody(event)).toEqual(seedBodies.none);
  });

  it.each<[string, string | undefined]>([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a JSON look-alike', 'application/jsonp'],
    ['no content type', undefined],
  ])('refuses %s with 415', (_case, contentType) => {
    const error = errorFrom(() => readJsonBody(request(seedJson, contentType)));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error.status).toBe(415);
    expect(error.problems[0]?.source).toEqual({ header: 'Content-Type' });
  });

  it('refuses a body over 64 KiB with 413 and reads one of exactly 64 KiB', () => {
    const frame = '{"a":""}';
    const exact = `{"a":"${'x'.repeat(maxBodyBytes - frame.length)}"}`;
    expect(Buffer.byteLength(exact)).toBe(64 * 1024);
    expect(readJsonBody(request(exact, 'application/json'))).toEqual({ a: expect.any(String) });
    const over = `{"a":"${'x'.repeat(maxBodyBytes - frame.length + 1)}"}`;
    const error = errorFrom(() => readJsonBody(request(over, 'application/json')));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.status).toBe(413);
  });

  it('counts the size in bytes, not characters', () => {
    const body = `{"a":"${'é'.repeat(33_000)}"}`;
    expect(body.length).toBeLessThan(maxBodyBytes);
    expect(errorFrom(() => readJsonBody(request(body, 'application/json')))).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });

  it.each(['{"data":', '{data: {}}', "{'a': 1}", 'undefined', '{"a":1}}'])(
    'refuses the malformed JSON %p with 400 malformed_json',
    (text) => {
      const error = errorFrom(() => readJsonBody(request(text, 'application/vnd.api+json')));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.problems).toEqual([expect.objectContaining({ code: 'malformed_json' })]);
    },
  );

  it.each<[string, string | null]>([
    ['an empty body', ''],
    ['a blank body', '  \n'],
    ['no body', null],
  ])('refuses %s with 400', (_case, text) => {
    const error = errorFrom(() => readJsonBody(request(text, 'application/json')));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.problems[0]?.code).toBe('invalid_document');
  });

  it('decodes a base64-encoded body', () => {
    const encoded = Buffer.from(JSON.stringify(seedBodies.oAuth)).toString('base64');
    expect(readJsonBody(request(encoded, 'application/vnd.api+json', true))).toEqual(seedBodies.oAuth);
  });

  it('applies the size limit to the decoded base64 body', () => {
    const decoded = `{"a":"${'x'.repeat(maxBodyBytes)}"}`;
    const encoded = Buffer.from(decoded).toString('base64');
    expect(errorFrom(() => readJsonBody(request(encoded, 'application/json', true)))).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });
});

describe('errorResponse', () => {
  it('answers a rate limit with 429 and Retry-After in whole seconds, a quota with 409', () => {
    const limited = errorResponse(new RateLimitedError('Too many test events.', 17));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers).toMatchObject({
      'Retry-After': '17',
      'Content-Type': 'application/vnd.api+json',
    });
    expect(JSON.parse(limited.body).errors).toEqual([
      expect.objectContaining({ status: '429', code: 'rate_limited' }),
    ]);
    const quota = errorResponse(new QuotaExceededError(100));
    expect(quota.statusCode).toBe(409);
    expect(quota.headers).not.toHaveProperty('Retry-After');
    expect(JSON.parse(quota.body).errors).toEqual([
      expect.objectContaining({ status: '409', code: 'quota_exceeded' }),
    ]);
  });

  it('answers a typed error with its status, a status string in each error, and the JSON:API media type', () => {
    const error = new ValidationError([
      {
        code: 'required',
        title: 'Missing attribute',
        detail: 'url is required.',
        source: { pointer: '/data/attributes/url' },
      },
      {
        code: 'invalid_environment',
        title: 'Invalid attribute',
        detail: 'environment must be one of: production.',
        source: { pointer: '/data/attributes/environment' },
      },
    ]);
    const response = errorResponse(error);
    expect(response.statusCode).toBe(422);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/vnd.api+json' });
    expect(JSON.parse(response.body)).toEqual({
      errors: [
        {
          status: '422',
          code: 'required',
          title: 'Missing attribute',
          detail: 'url is required.',
          source: { pointer: '/data/attributes/url' },
        },
        {
          status: '422',
          code: 'invalid_environment',
          title: 'Invalid attribute',
          detail: 'environment must be one of: production.',
          source: { pointer: '/data/attributes/environment' },
        },
      ],
    });
  });

  it.each<[HeraldError, number]>([
    [new NotFoundError('No webhook wh_x in this tenant.'), 404],
    [new UnsupportedMediaTypeError('text/plain'), 415],
    [new PayloadTooLargeError(maxBodyBytes), 413],
    [new BadRequestError([{ code: 'malformed_json', title: 'Malformed JSON', detail: 'x' }]), 400],
  ])('maps %p to %i', (error, status) => {
    const response = errorResponse(error);
    expect(response.statusCode).toBe(status);
    const { errors } = JSON.parse(response.body) as { errors: Array<{ status: string }> };
    expect(errors.map((e) => e.status)).toEqual([String(status)]);
  });

  it.each<[string, unknown]>([
    ['an Error', new Error('connect ECONNREFUSED 10.0.3.7:5432 password=hunter2')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'password=hunter2')")],
    ['a thrown string', 'password=hunter2'],
  ])('answers %s with a 500 that reveals nothing of it', (_case, thrown) => {
    const response = errorResponse(thrown);
    expect(response.statusCode).toBe(500);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/vnd.api+json' });
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(JSON.parse(response.body)).toEqual({
      errors: [
        expect.objectContaining({ status: '500', code: 'internal_error', detail: expect.any(String) }),
      ],
    });
  });
});

describe('tenant authorizer policy', () => {
  const apiArn = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5';
  const arn = (method: string, path: string, stage = 'prod', api = apiArn) =>
    `${api}/${stage}/${method}${path}`;
  const acme: Principal = { tenant: 'acme', keyId: 'key_01k1xacme' };
  const policy = tenantPolicy(arn('GET', '/api/v2/acme/webhooks'), acme);

  it('names the key as principal and passes the tenant on in the context', () => {
    expect(policy.principalId).toBe('key_01k1xacme');
    expect(policy.context).toEqual({ tenant: 'acme', keyId: 'key_01k1xacme' });
  });

  it.each<[string, string]>([
    ['GET', '/api/v2/acme/webhooks'],
    ['POST', '/api/v2/acme/webhooks'],
    ['GET', '/api/v2/acme/webhooks/wh_01k1x'],
    ['PATCH', '/api/v2/acme/webhooks/wh_01k1x'],
    ['DELETE', '/api/v2/acme/webhooks/wh_01k1x'],
  ])("allows %s %s on the tenant's own paths", (method, path) => {
    expect(policyAllows(policy, arn(method, path))).toBe(true);
  });

  it.each<[string, string]>([
    ['GET', '/api/v2/globex/webhooks'],
    ['PATCH', '/api/v2/globex/webhooks/wh_01k1x'],
    ['GET', '/api/v2/acme2/webhooks'],
    ['GET', '/api/v2/acme-corp/webhooks'],
    ['GET', '/api/v2/acm/webhooks'],
    ['GET', '/api/v1/acme/webhooks'],
  ])("denies %s %s, another tenant's path", (method, path) => {
    expect(policyAllows(policy, arn(method, path))).toBe(false);
  });

  // The API routes /api/v2/{tenant}/{proxy+}, so such paths do reach the authorizer, and a `*`
  // in an execute-api ARN spans slashes: a wildcard in the method slot must not swallow the path.
  it.each<[string, string]>([
    ['GET', '/api/v2/globex/webhooks/api/v2/acme/webhooks'],
    ['DELETE', '/api/v2/globex/api/v2/acme'],
  ])("denies %s %s, another tenant's path that embeds the tenant's own", (method, path) => {
    expect(policyAllows(policy, arn(method, path))).toBe(false);
  });

  it('denies the same path on another stage or another API', () => {
    expect(policyAllows(policy, arn('GET', '/api/v2/acme/webhooks', 'dev'))).toBe(false);
    expect(
      policyAllows(
        policy,
        arn('GET', '/api/v2/acme/webhooks', 'prod', 'arn:aws:execute-api:eu-west-1:123456789012:zzzzzzzzzz'),
      ),
    ).toBe(false);
  });

  it('lets a Deny statement win over an Allow', () => {
    const denied: APIGatewayAuthorizerResult = {
      ...policy,
      policyDocument: {
        ...policy.policyDocument,
        Statement: [
          ...policy.policyDocument.Statement,
          { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: arn('DELETE', '/api/v2/acme/*') },
        ],
      },
    };
    expect(policyAllows(denied, arn('DELETE', '/api/v2/acme/webhooks/wh_01k1x'))).toBe(false);
    expect(policyAllows(denied, arn('GET', '/api/v2/acme/webhooks/wh_01k1x'))).toBe(true);
  });
});

describe('nesting depth', () => {
  it('counts objects and arrays, not brackets inside strings or after escapes', () => {
    expect(nestingDepth('1')).toBe(0);
    expect(nestingDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(nestingDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(nestingDepth('{"a":"\\"[[["}')).toBe(1);
    expect(nestingDepth('{"a":"\\\\",' + '"b":[[]]}')).toBe(3);
  });

  it('refuses a body nested deeper than 32 levels with 400 before parsing it', () => {
    const deep = `${'{"a":'.repeat(33)}1${'}'.repeat(33)}`;
    const event = { headers: { 'content-type': 'application/json' }, body: deep, isBase64Encoded: false };
    expect(() => readJsonBody(event)).toThrow(expect.objectContaining({ status: 400 }));
    const ok = `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`;
    expect(readJsonBody({ ...event, body: ok })).toEqual(JSON.parse(ok));
  });
});
