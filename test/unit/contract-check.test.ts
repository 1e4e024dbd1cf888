import { createContractChecker, describeViolation } from '../../local/contract-check';

/** The contract check itself: it passes what the document allows and names what breaks it. */

const check = createContractChecker();
const webhookPath = '/api/v2/demo/webhooks/wh_01jf0d8y3ywq3f1c0v9w8x7z6a';

const webhook = {
  data: {
    type: 'webhook',
    id: 'wh_01jf0d8y3ywq3f1c0v9w8x7z6a',
    attributes: {
      description: 'Test webhook',
      url: 'https://your-event-server.com/webhook',
      event_types: ['use_case_review_status_updated'],
      event_type_prefix: 'CredoAI',
      event_type_suffix: 'v1',
      environment: 'production',
      bucket: null,
      filter: null,
      rate_limit: null,
      ordering: 'none',
      authentication_method: 'none',
      authentication_payload_type: null,
      authentication_server: null,
      has_authentication_payload: false,
      status: 'enabled',
      disabled_reason: null,
      disabled_at: null,
      health: {
        consecutive_failures: 0,
        failing_since: null,
        last_failure_at: null,
        last_failure_reason: null,
      },
      created_at: '2026-11-27T10:00:00.000Z',
      updated_at: '2026-11-27T10:00:00.000Z',
    },
    links: { self: `http://127.0.0.1:3000${webhookPath}` },
  },
};

describe('the contract check', () => {
  it('passes a webhook as the document describes it, and an error document on any route', () => {
    expect(check('GET', webhookPath, 200, JSON.stringify(webhook))).toBeUndefined();
    const error = { errors: [{ status: '404', code: 'not_found', title: 'Not Found', detail: 'No route.' }] };
    expect(check('GET', '/nowhere', 404, JSON.stringify(error))).toBeUndefined();
    expect(check('DELETE', webhookPath, 204, '')).toBeUndefined();
  });

  it('names the operation, the status and what ajv found when a response breaks the document', () => {
    const broken = structuredClone(webhook) as { data: { attributes: Record<string, unknown> } };
    broken.data.attributes.status = 'paused';
    delete broken.data.attributes.created_at;
    const violation = check('GET', webhookPath, 200, JSON.stringify(broken));
    expect(violation).toMatchObject({ operation: 'getWebhook', status: 200 });
    const message = describeViolation(violation ?? never());
    expect(message).toContain(
      'GET /api/v2/demo/webhooks/wh_01jf0d8y3ywq3f1c0v9w8x7z6a (getWebhook) answered 200',
    );
    expect(message).toMatch(/body\/data\/attributes must have required property 'created_at'/);
    expect(message).toMatch(/body\/data\/attributes\/status must be equal to one of the allowed values/);
  });

  it('refuses an error without its errors array, a status the operation does not answer, and a body on a 204', () => {
    expect(check('GET', webhookPath, 422, JSON.stringify({ message: 'bad' }))).toMatchObject({
      operation: 'getWebhook',
      errors: expect.stringContaining("must have required property 'errors'"),
    });
    expect(check('GET', webhookPath, 201, JSON.stringify(webhook))?.errors).toContain('status 201');
    expect(check('DELETE', webhookPath, 204, '{}')?.errors).toContain('expected no body');
    expect(check('POST', '/somewhere', 200, '{}')?.operation).toBe('(no operation)');
  });
});

function never(): never {
  throw new Error('expected a violation');
}
