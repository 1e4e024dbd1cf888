import { type Problem, ValidationError } from '../../functions/domain/errors';
import { eventTypeNames } from '../../functions/domain/event-catalog';
import { operationalEventTypes } from '../../functions/domain/operational-events';
import { anyPort, defaultAllowedPorts, parseAllowedPorts } from '../../functions/domain/target-ports';
import {
  applyWebhookPatch,
  deliveredType,
  publicAttributes,
  validateNewWebhook,
  type Webhook,
  type WebhookAttributes,
  type WebhookRules,
} from '../../functions/domain/webhook';
import { seedBodies } from '../helpers';

const rules: WebhookRules = {
  allowedEnvironments: ['production', 'staging', 'qa', 'development', 'sandbox'],
  allowPrivateTargets: false,
  allowedPorts: parseAllowedPorts(defaultAllowedPorts),
  defaultTypePrefix: '',
};
const localRules: WebhookRules = { ...rules, allowPrivateTargets: true, allowedPorts: anyPort };

/** The smallest valid create request: the four required rows of the seed field table. */
const minimal = {
  description: 'Test webhook',
  url: 'https://hooks.example.com/in',
  event_types: ['use_case_review_status_updated'],
  authentication_method: 'none',
} as const;

const oAuthFields = {
  authentication_method: 'o_auth',
  authentication_payload: { client_id: 'herald', client_secret: 's3cret' },
  authentication_payload_type: 'application/json',
  authentication_server: 'https://auth.example.com/oauth/token',
} as const;

const pointer = (field: string) => `/data/attributes/${field}`;

function without(input: Record<string, unknown>, field: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([key]) => key !== field));
}

/** The problems of the ValidationError `run` throws; fails the test when it throws nothing. */
function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError, but the input was accepted');
}

function refusal(input: unknown, withRules: WebhookRules = rules): Problem[] {
  return problemsOf(() => validateNewWebhook(input, withRules));
}

function expectProblem(problems: Problem[], code: string, at: string): void {
  expect(problems).toContainEqual(expect.objectContaining({ code, source: { pointer: at } }));
}

/** Every event type the seeds list: ten metadata fields, custom fields, and the review events. */
const seedEventTypes = [
  'use_case_governance_status_updated',
  'use_case_risk_category_level_updated',
  'use_case_name_updated',
  'use_case_icon_updated',
  'use_case_description_updated',
  'use_case_industries_updated',
  'use_case_regions_updated',
  'use_case_ai_type_updated',
  'use_case_is_vendor_updated',
  'use_case_questionnaire_ids_updated',
  'use_case_custom_field_updated',
  'use_case_review_comment',
  'use_case_review_status_updated',
  'use_case_review_task_status_updated',
  'use_case_review_task_deleted',
];

describe('validateNewWebhook', () => {
  describe('the seed bodies', () => {
    it('accepts the authentication_method none seed and stores its attributes as sent', () => {
      const { attributes, warnings } = validateNewWebhook(seedBodies.none.data.attributes, rules);
      expect(attributes).toEqual({
        description: 'Test webhook',
        url: 'https://your-event-server.com/webhook',
        event_types: ['use_case_review_status_updated'],
        event_type_prefix: 'CredoAI',
        event_type_suffix: 'v1',
        environment: 'production',
        authentication_method: 'none',
        authentication_payload: null,
        authentication_payload_type: null,
        authentication_server: null,
        bucket: null,
        filter: null,
        rate_limit: null,
        ordering: 'none',
      });
      expect(warnings).toEqual([]);
    });

    it('accepts the o_auth seed and stores its OAuth settings', () => {
      const { attributes, warnings } = validateNewWebhook(seedBodies.oAuth.data.attributes, rules);
      expect(attributes).toEqual({
        description: 'Webhook for order creation events',
        url: 'https://example.com/webhooks/orders',
        event_types: ['use_case_review_status_updated', 'use_case_custom_field_updated'],
        event_type_prefix: 'CredoAI',
        event_type_suffix: 'v1',
        environment: 'production',
        authentication_method: 'o_auth',
        authentication_payload: { key: 'secret_key_value' },
        authentication_payload_type: 'application/json',
        authentication_server: 'https://auth.example.com',
        bucket: null,
        filter: null,
        rate_limit: null,
        ordering: 'none',
      });
      expect(warnings).toEqual([]);
    });
  });

  it('refuses attributes that are not an object', () => {
    for (const input of ['webhook', 42, null, [minimal]]) {
      expectProblem(refusal(input), 'invalid_type', '/data/attributes');
    }
  });

  describe('required fields', () => {
    it.each(['description', 'event_types', 'url', 'authentication_method'])(
      'refuses a webhook without %s',
      (field) => {
        const problems = refusal(without(minimal, field));
        expect(problems).toHaveLength(1);
        expectProblem(problems, 'required', pointer(field));
      },
    );

    it('names every missing field at once', () => {
      const problems = refusal({});
      for (const field of ['description', 'event_types', 'url', 'authentication_method']) {
        expectProblem(problems, 'required', pointer(field));
      }
    });
  });

  describe('types', () => {
    it.each<[string, unknown, string]>([
      ['description', 42, 'description'],
      ['description', null, 'description'],
      ['event_types', 'use_case_name_updated', 'event_types'],
      ['event_types', [42], 'event_types/0'],
      ['url', { href: 'https://hooks.example.com/in' }, 'url'],
      ['event_type_prefix', 7, 'event_type_prefix'],
      ['event_type_suffix', true, 'event_type_suffix'],
      ['environment', 1, 'environment'],
      ['authentication_method', 1, 'authentication_method'],
      ['authentication_payload', 'client_id=herald', 'authentication_payload'],
      ['authentication_payload_type', 5, 'authentication_payload_type'],
      ['authentication_server', 5, 'authentication_server'],
      ['bucket', 5, 'bucket'],
    ])('refuses %s given as %p', (field, value, at) => {
      expectProblem(refusal({ ...minimal, [field]: value }), 'invalid_type', pointer(at));
    });
  });

  describe('description', () => {
    it.each(['', '   '])('refuses the blank description %p', (description) => {
      expectProblem(refusal({ ...minimal, description }), 'too_short', pointer('description'));
    });

    it('refuses a description over 1024 characters and accepts one of 1024', () => {
      expectProblem(
        refusal({ ...minimal, description: 'd'.repeat(1025) }),
        'too_long',
        pointer('description'),
      );
      expect(
        validateNewWebhook({ ...minimal, description: 'd'.repeat(1024) }, rules).attributes.description,
      ).toHaveLength(1024);
    });
  });

  describe('event_types', () => {
    it('refuses an empty list', () => {
      expectProblem(refusal({ ...minimal, event_types: [] }), 'too_short', pointer('event_types'));
    });

    it('refuses a duplicate, pointing at the repeated entry', () => {
      const problems = refusal({
        ...minimal,
        event_types: ['use_case_name_updated', 'use_case_name_updated'],
      });
      expect(problems).toEqual([
        expect.objectContaining({
          code: 'duplicate_event_type',
          source: { pointer: pointer('event_types/1') },
        }),
      ]);
    });

    it('refuses an unknown event type, pointing at its index', () => {
      const problems = refusal({
        ...minimal,
        event_types: ['use_case_name_updated', 'use_case_regions_updated', 'use_case_created'],
      });
      expect(problems).toEqual([
        expect.objectContaining({
          code: 'unknown_event_type',
          source: { pointer: pointer('event_types/2') },
        }),
      ]);
    });

    it('accepts the deprecated use_case_governance_status_updated with a warning naming its index', () => {
      const { attributes, warnings } = validateNewWebhook(
        { ...minimal, event_types: ['use_case_name_updated', 'use_case_governance_status_updated'] },
        rules,
      );
      expect(attributes.event_types).toEqual(['use_case_name_updated', 'use_case_governance_status_updated']);
      expect(warnings).toEqual([
        expect.objectContaining({
          code: 'deprecated_event_type',
          source: { pointer: pointer('event_types/1') },
        }),
      ]);
    });

    it.each(seedEventTypes)('accepts the seed event type %s', (eventType) => {
      const { attributes } = validateNewWebhook({ ...minimal, event_types: [eventType] }, rules);
      expect(attributes.event_types).toEqual([eventType]);
    });

    it("publishes exactly the seed event types in the catalog, beside Herald's operational ones", () => {
      expect([...eventTypeNames].sort()).toEqual([...seedEventTypes, ...operationalEventTypes].sort());
    });

    it('accepts every seed event type in one subscription, warning only about the deprecated one', () => {
      const { warnings } = validateNewWebhook({ ...minimal, event_types: seedEventTypes }, rules);
      expect(warnings.map((w) => w.source.pointer)).toEqual([pointer('event_types/0')]);
    });
  });

  describe.each(['event_type_prefix', 'event_type_suffix'])('%s', (field) => {
    it('is optional and stored as null when omitted or blank', () => {
      expect(validateNewWebhook(minimal, rules).attributes[field as keyof WebhookAttributes]).toBeNull();
      expect(
        validateNewWebhook({ ...minimal, [field]: '' }, rules).attributes[field as keyof WebhookAttributes],
      ).toBeNull();
      expect(
        validateNewWebhook({ ...minimal, [field]: null }, rules).attributes[field as keyof WebhookAttributes],
      ).toBeNull();
    });

    it.each(['CredoAI', 'v1', 'acme-corp_2.0', 'a'.repeat(64)])('accepts %p', (value) => {
      expect(
        validateNewWebhook({ ...minimal, [field]: value }, rules).attributes[
          field as keyof WebhookAttributes
        ],
      ).toBe(value);
    });

    it.each(['Credo AI', 'Credo/AI', '.v1', '-v1', 'väl', 'v1\n', 'a{b}'])(
      'refuses the bad characters in %j',
      (value) => {
        expectProblem(refusal({ ...minimal, [field]: value }), 'invalid_value', pointer(field));
      },
    );

    it('refuses more than 64 characters', () => {
      expectProblem(refusal({ ...minimal, [field]: 'a'.repeat(65) }), 'too_long', pointer(field));
    });
  });

  describe('environment', () => {
    it.each(rules.allowedEnvironments)('accepts the allowed environment %s', (environment) => {
      expect(validateNewWebhook({ ...minimal, environment }, rules).attributes.environment).toBe(environment);
    });

    it.each(['prod', 'Production', 'moon'])('refuses the unknown environment %p', (environment) => {
      expectProblem(refusal({ ...minimal, environment }), 'invalid_environment', pointer('environment'));
    });

    it('stores null when environment is omitted', () => {
      expect(validateNewWebhook(minimal, rules).attributes.environment).toBeNull();
    });
  });

  describe('authentication', () => {
    it.each(['basic', 'oauth', 'O_AUTH', 'None', ''])(
      'refuses the authentication_method %p',
      (authentication_method) => {
        expectProblem(
          refusal({ ...minimal, authentication_method }),
          'invalid_value',
          pointer('authentication_method'),
        );
      },
    );

    it('accepts o_auth with all three OAuth fields', () => {
      const { attributes } = validateNewWebhook({ ...minimal, ...oAuthFields }, rules);
      expect(attributes).toMatchObject(oAuthFields);
    });

    it.each(['authentication_payload', 'authentication_payload_type', 'authentication_server'])(
      'refuses o_auth without %s',
      (field) => {
        const problems = refusal(without({ ...minimal, ...oAuthFields }, field));
        expect(problems).toEqual([
          expect.objectContaining({ code: 'required', source: { pointer: pointer(field) } }),
        ]);
      },
    );

    it.each<[string, unknown]>([
      ['authentication_payload', {}],
      ['authentication_payload_type', ''],
      ['authentication_server', ''],
      ['authentication_server', null],
    ])('refuses o_auth with %s blank (%p)', (field, blank) => {
      expectProblem(refusal({ ...minimal, ...oAuthFields, [field]: blank }), 'required', pointer(field));
    });

    it.each(['text/plain', 'application/xml', 'application/json; charset=utf-8', 'APPLICATION/JSON'])(
      'refuses the authentication_payload_type %p',
      (authentication_payload_type) => {
        expectProblem(
          refusal({ ...minimal, ...oAuthFields, authentication_payload_type }),
          'invalid_value',
          pointer('authentication_payload_type'),
        );
      },
    );

    it('accepts a flat form-urlencoded payload of strings, numbers and booleans', () => {
      const payload = { grant_type: 'client_credentials', ttl: 3600, offline: true };
      const { attributes } = validateNewWebhook(
        {
          ...minimal,
          ...oAuthFields,
          authentication_payload_type: 'application/x-www-form-urlencoded',
          authentication_payload: payload,
        },
        rules,
      );
      expect(attributes.authentication_payload).toEqual(payload);
    });

    it.each<[string, unknown]>([
      ['an object', { read: true }],
      ['an array', ['read', 'write']],
      ['null', null],
    ])('refuses a form-urlencoded payload with %s as a value', (_kind, value) => {
      const problems = refusal({
        ...minimal,
        ...oAuthFields,
        authentication_payload_type: 'application/x-www-form-urlencoded',
        authentication_payload: { client_id: 'herald', scope: value },
      });
      expectProblem(problems, 'invalid_type', pointer('authentication_payload/scope'));
    });

    it('accepts a nested payload when it is sent as JSON', () => {
      const payload = { client: { id: 'herald', scopes: ['read'] } };
      const { attributes } = validateNewWebhook(
        { ...minimal, ...oAuthFields, authentication_payload: payload },
        rules,
      );
      expect(attributes.authentication_payload).toEqual(payload);
    });

    it('refuses an authentication_payload over 4096 bytes of JSON', () => {
      expectProblem(
        refusal({ ...minimal, ...oAuthFields, authentication_payload: { blob: 'x'.repeat(4096) } }),
        'too_long',
        pointer('authentication_payload'),
      );
    });

    it('refuses an authentication_payload with more than 50 keys', () => {
      const payload = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
      expectProblem(
        refusal({ ...minimal, ...oAuthFields, authentication_payload: payload }),
        'too_long',
        pointer('authentication_payload'),
      );
    });

    it('accepts the OAuth fields alongside authentication_method none, but keeps no payload it would never use', () => {
      const { attributes, warnings } = validateNewWebhook(
        { ...minimal, ...oAuthFields, authentication_method: 'none' },
        rules,
      );
      expect(attributes).toMatchObject({
        ...oAuthFields,
        authentication_method: 'none',
        authentication_payload: null,
      });
      expect(warnings).toEqual([
        expect.objectContaining({
          code: 'authentication_payload_ignored',
          source: { pointer: pointer('authentication_payload') },
        }),
      ]);
    });

    it.each<[string, unknown, unknown, unknown]>([
      ['empty strings and an empty object', {}, '', ''],
      ['nulls', null, null, null],
    ])(
      'accepts blank OAuth fields (%s) alongside none and stores them as null',
      (_kind, payload, type, server) => {
        const { attributes } = validateNewWebhook(
          {
            ...minimal,
            authentication_payload: payload,
            authentication_payload_type: type,
            authentication_server: server,
          },
          rules,
        );
        expect(attributes).toMatchObject({
          authentication_method: 'none',
          authentication_payload: null,
          authentication_payload_type: null,
          authentication_server: null,
        });
      },
    );
  });

  describe('unknown attributes', () => {
    it.each(['foo', 'status', 'signing_secret'])('refuses the unknown attribute %s', (field) => {
      const problems = refusal({ ...minimal, [field]: 'x' });
      expect(problems).toEqual([
        expect.objectContaining({ code: 'unknown_attribute', source: { pointer: pointer(field) } }),
      ]);
    });
  });

  describe('bucket', () => {
    it('accepts use_case_events', () => {
      expect(validateNewWebhook({ ...minimal, bucket: 'use_case_events' }, rules).attributes.bucket).toBe(
        'use_case_events',
      );
    });

    it.each(['Use Case Events', '1_events', 'a'.repeat(65)])('refuses the bucket %p', (bucket) => {
      expectProblem(refusal({ ...minimal, bucket }), 'invalid_value', pointer('bucket'));
    });
  });

  describe('url', () => {
    it('refuses http unless private targets are allowed', () => {
      const input = { ...minimal, url: 'http://hooks.example.com/in' };
      expectProblem(refusal(input), 'insecure_url', pointer('url'));
      expect(validateNewWebhook(input, localRules).attributes.url).toBe('http://hooks.example.com/in');
    });

    it('accepts a url with a query string', () => {
      const url = 'https://hooks.example.com/in?token=abc&source=credo';
      expect(validateNewWebhook({ ...minimal, url }, rules).attributes.url).toBe(url);
    });

    it.each<[string, string]>([
      ['not absolute', 'hooks.example.com/in'],
      ['a relative path', '/webhook'],
      ['with credentials', 'https://user:pass@hooks.example.com/in'],
      ['with a user name only', 'https://user@hooks.example.com/in'],
      ['over 2048 characters', `https://hooks.example.com/${'a'.repeat(2048)}`],
      ['with a fragment', 'https://hooks.example.com/in#top'],
      ['of another scheme', 'ftp://hooks.example.com/in'],
    ])('refuses a url %s, whatever the deployment allows', (_kind, url) => {
      expectProblem(refusal({ ...minimal, url }), 'invalid_url', pointer('url'));
      expectProblem(refusal({ ...minimal, url }, localRules), 'invalid_url', pointer('url'));
    });

    const forbiddenTargets = [
      'https://127.0.0.1/x',
      'https://[::1]/',
      'https://169.254.169.254/latest',
      'https://10.0.0.1',
      'https://localhost/x',
    ];

    it.each(forbiddenTargets)('refuses the private target %s', (url) => {
      expectProblem(refusal({ ...minimal, url }), 'forbidden_target', pointer('url'));
    });

    it.each(forbiddenTargets)('accepts the private target %s when private targets are allowed', (url) => {
      expect(validateNewWebhook({ ...minimal, url }, localRules).attributes.url).toBe(url);
    });

    describe('ports', () => {
      it.each([
        'https://hooks.example.com/in',
        'https://hooks.example.com:443/in',
        'https://hooks.example.com:8443/in',
      ])('accepts %s: 443, stated or implicit, or an unprivileged port', (url) => {
        expect(validateNewWebhook({ ...minimal, url }, rules).attributes.url).toBe(url);
      });

      it.each(['https://hooks.example.com:22/in', 'https://hooks.example.com:1023/in'])(
        'refuses %s with forbidden_port',
        (url) => {
          expect(refusal({ ...minimal, url })).toEqual([
            expect.objectContaining({
              code: 'forbidden_port',
              detail: `url must use port 443 or 1024-65535, not ${new URL(url).port}.`,
              source: { pointer: pointer('url') },
            }),
          ]);
        },
      );

      it('refuses an authentication_server on a forbidden port', () => {
        const input = {
          ...minimal,
          ...oAuthFields,
          authentication_server: 'https://auth.example.com:25/token',
        };
        expectProblem(refusal(input), 'forbidden_port', pointer('authentication_server'));
      });

      it('refuses a patched url on a forbidden port', () => {
        const { attributes } = validateNewWebhook(minimal, rules);
        const problems = problemsOf(() =>
          applyWebhookPatch(attributes, { url: 'https://hooks.example.com:22/in' }, rules),
        );
        expectProblem(problems, 'forbidden_port', pointer('url'));
      });

      it('allows any port when private targets are allowed and no rule is set (local mode)', () => {
        const url = 'http://127.0.0.1:22/in';
        expect(validateNewWebhook({ ...minimal, url }, localRules).attributes.url).toBe(url);
      });
    });

    describe('authentication_server', () => {
      const withServer = (authentication_server: string) => ({
        ...minimal,
        ...oAuthFields,
        authentication_server,
      });

      it.each(forbiddenTargets)('refuses the private server %s', (server) => {
        expectProblem(refusal(withServer(server)), 'forbidden_target', pointer('authentication_server'));
      });

      it.each(forbiddenTargets)(
        'accepts the private server %s when private targets are allowed',
        (server) => {
          expect(validateNewWebhook(withServer(server), localRules).attributes.authentication_server).toBe(
            server,
          );
        },
      );

      it('refuses an http server unless private targets are allowed', () => {
        const input = withServer('http://auth.example.com/token');
        expectProblem(refusal(input), 'insecure_url', pointer('authentication_server'));
        expect(validateNewWebhook(input, localRules).attributes.authentication_server).toBe(
          'http://auth.example.com/token',
        );
      });

      it.each(['auth.example.com', 'https://user:pw@auth.example.com/token'])(
        'refuses the malformed server %p',
        (server) => {
          expectProblem(refusal(withServer(server)), 'invalid_url', pointer('authentication_server'));
        },
      );

      it('checks a server sent alongside authentication_method none too', () => {
        expectProblem(
          refusal({ ...minimal, authentication_server: 'https://169.254.169.254/latest' }),
          'forbidden_target',
          pointer('authentication_server'),
        );
      });
    });
  });

  describe('default type prefix', () => {
    const acme: WebhookRules = { ...rules, defaultTypePrefix: 'Acme' };

    it('applies the default when the prefix is omitted', () => {
      expect(validateNewWebhook(minimal, acme).attributes.event_type_prefix).toBe('Acme');
    });

    it('keeps a prefix the request gives', () => {
      expect(
        validateNewWebhook({ ...minimal, event_type_prefix: 'CredoAI' }, acme).attributes.event_type_prefix,
      ).toBe('CredoAI');
    });

    it('keeps an explicit null: no prefix', () => {
      expect(
        validateNewWebhook({ ...minimal, event_type_prefix: null }, acme).attributes.event_type_prefix,
      ).toBeNull();
    });
  });
});

describe('applyWebhookPatch', () => {
  const current = validateNewWebhook(seedBodies.none.data.attributes, rules).attributes;

  function patchRefusal(input: unknown): Problem[] {
    return problemsOf(() => applyWebhookPatch(current, input, rules));
  }

  it('merges a partial patch: only the description changes', () => {
    const { attributes, status, warnings } = applyWebhookPatch(current, { description: 'Renamed' }, rules);
    expect(attributes).toEqual({ ...current, description: 'Renamed' });
    expect(status).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('leaves everything as it was for an empty patch', () => {
    expect(applyWebhookPatch(current, {}, rules).attributes).toEqual(current);
  });

  it('validates the merged result as a whole: o_auth without a server is refused', () => {
    const problems = patchRefusal({
      authentication_method: 'o_auth',
      authentication_payload: { key: 'v' },
      authentication_payload_type: 'application/json',
    });
    expect(problems).toEqual([
      expect.objectContaining({ code: 'required', source: { pointer: pointer('authentication_server') } }),
    ]);
  });

  it('points at every missing OAuth field when only the method is patched', () => {
    const problems = patchRefusal({ authentication_method: 'o_auth' });
    for (const field of ['authentication_payload', 'authentication_payload_type', 'authentication_server']) {
      expectProblem(problems, 'required', pointer(field));
    }
  });

  it('returns a status the patch sets, leaving the attributes alone', () => {
    const { attributes, status } = applyWebhookPatch(current, { status: 'disabled' }, rules);
    expect(status).toBe('disabled');
    expect(attributes).toEqual(current);
  });

  it('refuses a status other than enabled or disabled', () => {
    expectProblem(patchRefusal({ status: 'paused' }), 'invalid_value', pointer('status'));
  });

  it('clears the prefix on an explicit null and keeps the suffix', () => {
    const { attributes } = applyWebhookPatch(current, { event_type_prefix: null }, rules);
    expect(attributes.event_type_prefix).toBeNull();
    expect(attributes.event_type_suffix).toBe('v1');
  });

  it('refuses an unknown attribute', () => {
    expect(patchRefusal({ foo: 1 })).toEqual([
      expect.objectContaining({ code: 'unknown_attribute', source: { pointer: pointer('foo') } }),
    ]);
  });

  it('refuses a patched field with the same rules as a create', () => {
    expectProblem(patchRefusal({ event_types: [] }), 'too_short', pointer('event_types'));
    expectProblem(patchRefusal({ url: 'https://10.0.0.1/' }), 'forbidden_target', pointer('url'));
    expectProblem(patchRefusal({ environment: 'moon' }), 'invalid_environment', pointer('environment'));
  });

  it('warns about a deprecated event type the patch adds', () => {
    const { warnings } = applyWebhookPatch(
      current,
      { event_types: ['use_case_governance_status_updated'] },
      rules,
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'deprecated_event_type',
        source: { pointer: pointer('event_types/0') },
      }),
    ]);
  });

  it('refuses attributes that are not an object', () => {
    expectProblem(patchRefusal('description=x'), 'invalid_type', '/data/attributes');
  });
});

describe('applyWebhookPatch on an o_auth webhook: the payload stays write-only', () => {
  const stored = validateNewWebhook({ ...minimal, ...oAuthFields }, rules).attributes;
  const newPayload = { client_id: 'herald', client_secret: 'n3w' };
  const required = [
    expect.objectContaining({
      code: 'authentication_payload_required',
      source: { pointer: pointer('authentication_payload') },
    }),
  ];

  it.each<[string, Record<string, unknown>]>([
    ['a new url alone (the token would go there)', { url: 'https://attacker.example.net/in' }],
    [
      'a new server alone (the payload would go there)',
      { authentication_server: 'https://attacker.example.net/t' },
    ],
    [
      'a new url and server',
      { url: 'https://attacker.example.net/in', authentication_server: 'https://attacker.example.net/t' },
    ],
    [
      'a new url with a null payload',
      { url: 'https://attacker.example.net/in', authentication_payload: null },
    ],
    [
      'a new url with a blank payload',
      { url: 'https://attacker.example.net/in', authentication_payload: {} },
    ],
  ])('refuses %s without authentication_payload', (_case, patch) => {
    const problems = problemsOf(() => applyWebhookPatch(stored, patch, rules));
    expect(problems).toEqual(expect.arrayContaining(required));
  });

  it('refuses to reuse a payload kept from before a switch to none (a webhook stored before this rule)', () => {
    const legacy = { ...stored, authentication_method: 'none' as const };
    expect(problemsOf(() => applyWebhookPatch(legacy, { authentication_method: 'o_auth' }, rules))).toEqual(
      required,
    );
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'a new url with a new payload',
      { url: 'https://new.example.com/in', authentication_payload: newPayload },
    ],
    [
      'a new server with a new payload',
      { authentication_server: 'https://auth2.example.com/t', authentication_payload: newPayload },
    ],
  ])('accepts %s, storing the new payload', (_case, patch) => {
    const { attributes } = applyWebhookPatch(stored, patch, rules);
    expect(attributes).toMatchObject({ ...patch, authentication_payload: newPayload });
  });

  it('treats a full PATCH that repeats the stored url and server as no change: the payload is kept', () => {
    // As the platform's client sends it: every attribute it read, and no payload (it never reads one).
    const full = {
      description: 'Renamed',
      url: stored.url,
      event_types: stored.event_types,
      event_type_prefix: stored.event_type_prefix,
      event_type_suffix: stored.event_type_suffix,
      environment: stored.environment,
      bucket: stored.bucket,
      authentication_method: 'o_auth',
      authentication_payload_type: stored.authentication_payload_type,
      authentication_server: stored.authentication_server,
    };
    const { attributes } = applyWebhookPatch(stored, full, rules);
    expect(attributes).toEqual({ ...stored, description: 'Renamed' });
  });

  it('keeps the payload for a change that sends it nowhere new: description, event types, payload type', () => {
    expect(applyWebhookPatch(stored, { description: 'x' }, rules).attributes.authentication_payload).toEqual(
      stored.authentication_payload,
    );
    // The same server that was trusted with the payload gets it in another encoding: no new recipient.
    const { attributes } = applyWebhookPatch(
      stored,
      { authentication_payload_type: 'application/x-www-form-urlencoded' },
      rules,
    );
    expect(attributes).toMatchObject({
      authentication_payload: stored.authentication_payload,
      authentication_payload_type: 'application/x-www-form-urlencoded',
    });
  });

  it('deletes the stored payload on a switch to none, with or without a new url', () => {
    for (const patch of [
      { authentication_method: 'none' },
      { authentication_method: 'none', url: 'https://new.example.com/in' },
    ]) {
      const { attributes } = applyWebhookPatch(stored, patch, rules);
      expect(attributes.authentication_method).toBe('none');
      expect(attributes.authentication_payload).toBeNull();
    }
  });

  it('needs the payload again to switch back to o_auth', () => {
    const none = applyWebhookPatch(stored, { authentication_method: 'none' }, rules).attributes;
    expectProblem(
      problemsOf(() => applyWebhookPatch(none, { authentication_method: 'o_auth' }, rules)),
      'required',
      pointer('authentication_payload'),
    );
    const back = applyWebhookPatch(
      none,
      { authentication_method: 'o_auth', authentication_payload: newPayload },
      rules,
    );
    expect(back.attributes).toMatchObject({
      authentication_method: 'o_auth',
      authentication_payload: newPayload,
    });
  });
});

describe('deliveredType', () => {
  it.each<[string | null, string | null, string]>([
    ['CredoAI', 'v1', 'CredoAI.use_case_review_status_updated.v1'],
    [null, null, 'use_case_review_status_updated'],
    ['CredoAI', null, 'CredoAI.use_case_review_status_updated'],
    [null, 'v1', 'use_case_review_status_updated.v1'],
  ])('with prefix %p and suffix %p delivers %s', (event_type_prefix, event_type_suffix, expected) => {
    expect(deliveredType({ event_type_prefix, event_type_suffix }, 'use_case_review_status_updated')).toBe(
      expected,
    );
  });

  it('matches the type of the seed example delivery', () => {
    const { attributes } = validateNewWebhook(seedBodies.none.data.attributes, rules);
    expect(deliveredType(attributes, 'use_case_review_status_updated')).toBe(
      'CredoAI.use_case_review_status_updated.v1',
    );
  });
});

describe('publicAttributes', () => {
  function stored(attributes: WebhookAttributes): Webhook {
    return {
      id: 'wh_01k0000000000000000000000',
      tenant: 'acme',
      attributes,
      status: 'enabled',
      disabledReason: null,
      disabledAt: null,
      previousSecrets: [],
      health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
      signingSecret: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LW9mLXRoaXJ0eS10d28=',
      createdAt: '2025-08-08T05:56:32.136Z',
      updatedAt: '2025-08-08T05:56:32.136Z',
      version: 1,
    };
  }

  it('flags the OAuth payload without ever showing it, nor the signing secret', () => {
    const webhook = stored(validateNewWebhook(seedBodies.oAuth.data.attributes, rules).attributes);
    const shown = publicAttributes(webhook);
    expect(shown).not.toHaveProperty('authentication_payload');
    expect(shown.has_authentication_payload).toBe(true);
    const json = JSON.stringify(shown);
    expect(json).not.toContain('secret_key_value');
    expect(json).not.toContain(webhook.signingSecret);
    expect(shown).toMatchObject({
      authentication_method: 'o_auth',
      authentication_payload_type: 'application/json',
      authentication_server: 'https://auth.example.com',
      status: 'enabled',
      disabled_reason: null,
      created_at: '2025-08-08T05:56:32.136Z',
    });
  });

  it('says has_authentication_payload false when there is none', () => {
    const shown = publicAttributes(
      stored(validateNewWebhook(seedBodies.none.data.attributes, rules).attributes),
    );
    expect(shown).not.toHaveProperty('authentication_payload');
    expect(shown.has_authentication_payload).toBe(false);
  });
});

describe('storable OAuth payloads', () => {
  const rules = { ...localRules, allowedEnvironments: ['production'], allowPrivateTargets: false };
  const withPayload = (payload: unknown) => ({
    ...structuredClone(seedBodies.oAuth.data.attributes),
    authentication_payload_type: 'application/json',
    authentication_payload: payload,
  });
  const refusal = (payload: unknown) => {
    try {
      validateNewWebhook(withPayload(payload), rules);
      return undefined;
    } catch (error) {
      return (error as ValidationError).problems[0];
    }
  };

  it.each([
    ['a key that would set a prototype', JSON.parse('{"__proto__":{"x":1}}')],
    ['a nested constructor key', { client: { constructor: 'x' } }],
    ['an unsafe integer', { n: -9007199254740992 }],
    ['a number DynamoDB cannot hold', { n: 1e200 }],
    ['nesting deeper than 8 levels', { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }],
  ])('refuses %s, pointing at authentication_payload', (_what, payload) => {
    expect(refusal(payload)).toMatchObject({
      source: { pointer: '/data/attributes/authentication_payload' },
    });
  });

  it('accepts ordinary payloads with safe numbers and some nesting', () => {
    expect(
      refusal({
        client_id: 'x',
        retries: 3,
        ratio: 0.5,
        scopes: ['a', 'b'],
        extra: { nested: { ok: true } },
      }),
    ).toBeUndefined();
  });
});

describe('the filter attribute', () => {
  const filter = { data: { status: ['approved'], score: [{ numeric: ['>=', 50] }] } };

  it('is stored as sent, shown in the public view, and absent or {} means none', () => {
    const { attributes } = validateNewWebhook({ ...minimal, filter }, rules);
    expect(attributes.filter).toEqual(filter);
    expect(validateNewWebhook(minimal, rules).attributes.filter).toBeNull();
    expect(validateNewWebhook({ ...minimal, filter: {} }, rules).attributes.filter).toBeNull();
  });

  it('is set, changed and removed (null) by a PATCH, other attributes kept', () => {
    const current = validateNewWebhook(minimal, rules).attributes;
    const set = applyWebhookPatch(current, { filter }, rules).attributes;
    expect(set).toEqual({ ...current, filter });
    expect(applyWebhookPatch(set, { description: 'Renamed' }, rules).attributes.filter).toEqual(filter);
    expect(applyWebhookPatch(set, { filter: null }, rules).attributes.filter).toBeNull();
  });

  it.each([
    ['not an object', 'approved', 'invalid_type', 'filter'],
    [
      'an unknown operator',
      { data: { a: [{ wildcard: '*x' }] } },
      'unknown_operator',
      'filter/data/a/0/wildcard',
    ],
    ['a wrong operand type', { data: { a: [{ suffix: ['x'] }] } }, 'invalid_type', 'filter/data/a/0/suffix'],
    ['a field outside the event', { detail: { a: ['x'] } }, 'unknown_field', 'filter/detail'],
    [
      'a key needing escape',
      { data: { 'a/b~c': [{ exists: 'no' }] } },
      'invalid_type',
      'filter/data/a~1b~0c/0/exists',
    ],
    ['too large', { data: { a: Array.from({ length: 800 }, (_, i) => `v${i}`) } }, 'too_long', 'filter'],
    [
      'too deep',
      { data: { a: { b: { c: { d: { e: { f: { g: { h: { i: ['x'] } } } } } } } } } },
      'too_deep',
      'filter/data/a/b/c/d/e/f/g/h/i',
    ],
  ])('refuses %s with a 422 pointing at it', (_name, value, code, at) => {
    const problems = refusal({ ...minimal, filter: value });
    expectProblem(problems, code, pointer(at));
    expect(problems).toHaveLength(1);
  });
});

describe('rate_limit', () => {
  it('is null unless given, and kept as given from 1 to 1000', () => {
    expect(validateNewWebhook(minimal, rules).attributes.rate_limit).toBeNull();
    for (const n of [1, 5, 1000])
      expect(validateNewWebhook({ ...minimal, rate_limit: n }, rules).attributes.rate_limit).toBe(n);
    expect(validateNewWebhook({ ...minimal, rate_limit: null }, rules).attributes.rate_limit).toBeNull();
  });

  it('is set, changed and removed (null) by a PATCH, other attributes kept', () => {
    const current = validateNewWebhook(minimal, rules).attributes;
    const set = applyWebhookPatch(current, { rate_limit: 5 }, rules).attributes;
    expect(set).toEqual({ ...current, rate_limit: 5 });
    expect(applyWebhookPatch(set, { description: 'Renamed' }, rules).attributes.rate_limit).toBe(5);
    expect(applyWebhookPatch(set, { rate_limit: null }, rules).attributes.rate_limit).toBeNull();
  });

  it('is shown in the public view', () => {
    const attributes = validateNewWebhook({ ...minimal, rate_limit: 7 }, rules).attributes;
    const view = publicAttributes({
      id: 'wh_1',
      tenant: 'acme',
      attributes,
      status: 'enabled',
      disabledReason: null,
      disabledAt: null,
      signingSecret: 'whsec_x',
      previousSecrets: [],
      health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 1,
    });
    expect(view.rate_limit).toBe(7);
  });

  it.each([
    [0, 'out_of_range', 'rate_limit must be at least 1'],
    [-3, 'out_of_range', 'rate_limit must be at least 1'],
    [1001, 'out_of_range', 'rate_limit must be at most 1000'],
    [2.5, 'invalid_type', 'rate_limit must be an integer, not 2.5.'],
    ['5', 'invalid_type', 'rate_limit must be a number, not a string.'],
    [true, 'invalid_type', 'rate_limit must be a number, not a boolean.'],
    [{}, 'invalid_type', 'rate_limit must be a number, not an object.'],
  ])('refuses %p with a 422 pointing at it', (value, code, detail) => {
    const problems = refusal({ ...minimal, rate_limit: value });
    expect(problems).toEqual([
      expect.objectContaining({ code, detail, source: { pointer: pointer('rate_limit') } }),
    ]);
  });

  it('refuses a bad value in a PATCH too', () => {
    const current = validateNewWebhook(minimal, rules).attributes;
    const problems = problemsOf(() => applyWebhookPatch(current, { rate_limit: 0 }, rules));
    expectProblem(problems, 'out_of_range', pointer('rate_limit'));
  });
});

describe('ordering', () => {
  it('is none unless given, and kept as given', () => {
    expect(validateNewWebhook(minimal, rules).attributes.ordering).toBe('none');
    for (const ordering of ['none', 'fifo'] as const)
      expect(validateNewWebhook({ ...minimal, ordering }, rules).attributes.ordering).toBe(ordering);
  });

  it('is changed by a PATCH and kept by one that leaves it out', () => {
    const current = validateNewWebhook(minimal, rules).attributes;
    const fifo = applyWebhookPatch(current, { ordering: 'fifo' }, rules).attributes;
    expect(fifo).toEqual({ ...current, ordering: 'fifo' });
    expect(applyWebhookPatch(fifo, { description: 'Renamed' }, rules).attributes.ordering).toBe('fifo');
    expect(applyWebhookPatch(fifo, { ordering: 'none' }, rules).attributes.ordering).toBe('none');
  });

  it.each([
    ['FIFO', 'ordering must be one of: none, fifo'],
    ['ordered', 'ordering must be one of: none, fifo'],
    ['', 'ordering must be one of: none, fifo'],
    [null, 'ordering must be a string, not null.'],
    [1, 'ordering must be a string, not 1.'],
  ])('refuses %p with a 422 pointing at it', (value, detail) => {
    const problems = refusal({ ...minimal, ordering: value });
    expect(problems).toEqual([
      expect.objectContaining({
        detail: expect.stringContaining(detail),
        source: { pointer: pointer('ordering') },
      }),
    ]);
  });

  it('refuses a bad value in a PATCH too', () => {
    const current = validateNewWebhook(minimal, rules).attributes;
    expectProblem(
      problemsOf(() => applyWebhookPatch(current, { ordering: 'lifo' }, rules)),
      'invalid_value',
      pointer('ordering'),
    );
  });
});
