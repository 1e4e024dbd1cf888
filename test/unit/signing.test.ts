import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import { buildEnvelope, serializeEnvelope } from '../../functions/domain/envelope';
import { newSigningSecret } from '../../functions/domain/ids';
import {
  decodeSigningSecret,
  type SignatureHeaders,
  signatureHeaders,
  signedRequestHeaders,
  svixHeaders,
} from '../../functions/domain/signing';

/** A delivered body as the delivery worker will send it. */
const body = serializeEnvelope(
  buildEnvelope({
    eventId: 'evt_1',
    eventType: 'use_case_review_status_updated',
    data: {
      reviewId: 'pu7BDgxfVnK4RTQyb88uL',
      status: 'in_progress',
      useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
      user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
    },
    time: '2025-08-08T05:56:32.136590Z',
    source: 'CredoAI',
    prefix: 'CredoAI',
    suffix: 'v1',
  }),
);
const id = deliveryIdFor('evt_1', 'wh_01k2abcdefghjkmnpqrstvwxyz', '2025-08-08T05:56:32.136590Z');

function sign(secrets: string[], timestamp: Date | number = new Date()): SignatureHeaders {
  return signatureHeaders({ id, timestamp, body, secrets });
}

describe('signatureHeaders', () => {
  it('matches the Standard Webhooks test vector', () => {
    const headers = signatureHeaders({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies with the standardwebhooks library and gives back the body', () => {
    const secret = newSigningSecret();
    expect(new Webhook(secret).verify(body, { ...sign([secret]) })).toEqual(JSON.parse(body));
  });

  it('fails verification when the body was tampered with', () => {
    const secret = newSigningSecret();
    const headers = sign([secret]);
    const tampered = body.replace('in_progress', 'approved');
    expect(() => new Webhook(secret).verify(tampered, { ...headers })).toThrow(
      new WebhookVerificationError('No matching signature found'),
    );
  });

  it('fails verification with another secret', () => {
    const headers = sign([newSigningSecret()]);
    expect(() => new Webhook(newSigningSecret()).verify(body, { ...headers })).toThrow(
      new WebhookVerificationError('No matching signature found'),
    );
  });

  it('fails verification when the timestamp is older than the 5-minute tolerance', () => {
    const secret = newSigningSecret();
    const headers = sign([secret], new Date(Date.now() - 10 * 60 * 1000));
    expect(() => new Webhook(secret).verify(body, { ...headers })).toThrow(
      new WebhookVerificationError('Message timestamp too old'),
    );
  });

  it('signs with every secret during a rotation, so either verifies', () => {
    const [previous, next] = [newSigningSecret(), newSigningSecret()];
    const headers = sign([next, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(next).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, { ...headers })).toThrow(
      WebhookVerificationError,
    );
  });

  it('gives the same headers for a Date and its Unix seconds', () => {
    const secret = newSigningSecret();
    expect(sign([secret], new Date(1_754_632_592_999))).toEqual(sign([secret], 1_754_632_592));
  });

  it.each([[new Date(Number.NaN)], [-1], [1.5]])('refuses the timestamp %p', (timestamp) => {
    expect(() => sign([newSigningSecret()], timestamp)).toThrow(/timestamp/);
  });

  it('refuses to sign without a secret', () => {
    expect(() => sign([])).toThrow('At least one signing secret is needed');
  });

  it('refuses an id that cannot be a header value', () => {
    expect(() =>
      signatureHeaders({ id: 'msg_1\r\nx: y', timestamp: 1, body, secrets: [newSigningSecret()] }),
    ).toThrow(/visible ASCII/);
  });
});

describe('decodeSigningSecret', () => {
  it('decodes the key Herald generates', () => {
    expect(decodeSigningSecret(newSigningSecret())).toHaveLength(32);
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['another prefix', `whsk_${Buffer.alloc(32, 1).toString('base64')}`],
    ['nothing after the prefix', 'whsec_'],
    ['not base64', 'whsec_!!!!not-base64-at-all!!!!!!!!!!!!!!!!!!'],
    ['base64url instead of base64', `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`],
    ['missing padding', `whsec_${Buffer.alloc(32, 1).toString('base64').replace(/=+$/, '')}`],
    ['a key too short', `whsec_${Buffer.alloc(16, 1).toString('base64')}`],
    ['a key too long', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
  ])('refuses a secret with %s, without quoting it', (_, secret) => {
    // One fixed message whatever the input, so no part of a secret can reach a log through it.
    expect(() => decodeSigningSecret(secret)).toThrow(
      new Error('Malformed signing secret: expected whsec_ followed by base64 of 24 to 64 bytes'),
    );
  });

  it('refuses a malformed secret among several when signing', () => {
    expect(() => sign([newSigningSecret(), 'whsec_short'])).toThrow(/^Malformed signing secret/);
  });
});

describe('svixHeaders', () => {
  it('carries the same values under svix-* names', () => {
    const headers = sign([newSigningSecret()]);
    expect(svixHeaders(headers)).toEqual({
      'svix-id': headers['webhook-id'],
      'svix-timestamp': headers['webhook-timestamp'],
      'svix-signature': headers['webhook-signature'],
    });
  });

  it('verifies with the svix library', () => {
    const secret = newSigningSecret();
    const headers = svixHeaders(sign([secret]));
    expect(new SvixWebhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new SvixWebhook(newSigningSecret()).verify(body, { ...headers })).toThrow(
      'No matching signature found',
    );
  });
});

describe('signedRequestHeaders', () => {
  it('gives the signature headers, then their svix-* copies, in the order they are sent', () => {
    const headers = sign([newSigningSecret(), newSigningSecret()]);
    const sent = signedRequestHeaders(headers, true);
    expect(Object.entries(sent)).toEqual(Object.entries({ ...headers, ...svixHeaders(headers) }));
  });

  it('gives the signature headers alone without svix', () => {
    const headers = sign([newSigningSecret()]);
    expect(Object.entries(signedRequestHeaders(headers, false))).toEqual(Object.entries(headers));
  });

  it('gives a new object each time, so a caller may add its own header', () => {
    const headers = sign([newSigningSecret()]);
    const sent = signedRequestHeaders(headers, true);
    sent.Authorization = 'Bearer t';
    expect(signedRequestHeaders(headers, true)).not.toHaveProperty('Authorization');
    expect(headers).not.toHaveProperty('Authorization');
  });
});
