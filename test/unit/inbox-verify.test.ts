import { Webhook as StandardWebhook } from 'standardwebhooks';
import { newSigningSecret } from '../../functions/domain/ids';
import { verifyDelivery } from '../../local/inbox-verify';

const body = JSON.stringify({ type: 'CredoAI.use_case_name_updated.v1', data: {} });

/** Headers as Herald sends them, signed with `secret` at `at`. */
function signed(secret: string, at = new Date(), payload = body): Array<[string, string]> {
  return [
    ['webhook-id', 'msg_1'],
    ['webhook-timestamp', String(Math.floor(at.getTime() / 1000))],
    ['webhook-signature', new StandardWebhook(secret).sign('msg_1', at, payload)],
  ];
}

describe('verifying an inbox delivery', () => {
  const current = newSigningSecret();
  const rotated = newSigningSecret();
  const other = newSigningSecret();

  it('is verified by a current secret of a webhook with the inbox URL, and names that webhook', () => {
    expect(
      verifyDelivery(body, signed(current), [
        { id: 'wh_other', secrets: [other] },
        { id: 'wh_1', secrets: [current] },
      ]),
    ).toEqual({ status: 'verified', webhooks: ['wh_other', 'wh_1'], verified_by: 'wh_1', detail: '' });
  });

  it("is verified by a rotated secret still in its grace period (one of the webhook's current secrets)", () => {
    expect(verifyDelivery(body, signed(rotated), [{ id: 'wh_1', secrets: [current, rotated] }]).status).toBe(
      'verified',
    );
  });

  it('is not verified with a secret no webhook has, and says why', () => {
    expect(verifyDelivery(body, signed(other), [{ id: 'wh_1', secrets: [current] }])).toEqual({
      status: 'not_verified',
      webhooks: ['wh_1'],
      verified_by: null,
      detail: 'No matching signature found.',
    });
  });

  it('is not verified when the body was changed after signing', () => {
    const tampered = body.replace('use_case', 'USE_CASE');
    expect(verifyDelivery(tampered, signed(current), [{ id: 'wh_1', secrets: [current] }]).status).toBe(
      'not_verified',
    );
  });

  it('is not verified when signed long ago (a replay), as receivers check', () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const result = verifyDelivery(body, signed(current, old), [{ id: 'wh_1', secrets: [current] }]);
    expect(result).toMatchObject({ status: 'not_verified', detail: 'Message timestamp too old.' });
  });

  it('is not verified without the signature headers, naming the missing ones', () => {
    const headers = signed(current).filter(([name]) => name !== 'webhook-signature');
    expect(verifyDelivery(body, headers, [{ id: 'wh_1', secrets: [current] }])).toMatchObject({
      status: 'not_verified',
      detail: 'No webhook-signature header.',
    });
  });

  it('verifies a body that is not JSON too', () => {
    expect(
      verifyDelivery('plain', signed(current, new Date(), 'plain'), [{ id: 'wh_1', secrets: [current] }])
        .status,
    ).toBe('verified');
  });

  it('says there is no webhook with this URL when none has it', () => {
    expect(verifyDelivery(body, signed(current), [])).toEqual({
      status: 'no_webhook',
      webhooks: [],
      verified_by: null,
      detail: '',
    });
  });

  it('reads the signature headers in any case, as HTTP names are', () => {
    const headers = signed(current).map(([name, value]): [string, string] => [name.toUpperCase(), value]);
    expect(verifyDelivery(body, headers, [{ id: 'wh_1', secrets: [current] }]).status).toBe('verified');
  });
});
