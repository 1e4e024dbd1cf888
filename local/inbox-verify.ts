import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { Verification } from './inbox-model';
import { headerValue } from './inbox-store';

/** A webhook whose url is an inbox's, with the secrets that sign for it now. */
export interface InboxWebhook {
  id: string;
  secrets: string[];
}

const signatureHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Whether a delivery's Standard Webhooks signature verifies with a current secret of one of the
 * webhooks whose url is the inbox's, checked the way a receiver would: with the `standardwebhooks`
 * library, which also refuses a timestamp more than five minutes off.
 */
export function verifyDelivery(
  body: string,
  headers: ReadonlyArray<[string, string]>,
  webhooks: readonly InboxWebhook[],
): Verification {
  const ids = webhooks.map((w) => w.id);
  if (webhooks.length === 0) return { status: 'no_webhook', webhooks: [], verified_by: null, detail: '' };
  const missing = signatureHeaders.filter((name) => headerValue(headers, name) === undefined);
  if (missing.length > 0)
    return {
      status: 'not_verified',
      webhooks: ids,
      verified_by: null,
      detail: `No ${missing.join(', ')} header.`,
    };
  const signed = Object.fromEntries(signatureHeaders.map((name) => [name, headerValue(headers, name) ?? '']));
  let detail = 'No secret verifies it.';
  for (const webhook of webhooks) {
    for (const secret of webhook.secrets) {
      try {
        new StandardWebhook(secret).verify(body, signed, { jsonParse: false });
        return { status: 'verified', webhooks: ids, verified_by: webhook.id, detail: '' };
      } catch (error) {
        detail = error instanceof Error ? `${error.message}.` : detail;
      }
    }
  }
  return { status: 'not_verified', webhooks: ids, verified_by: null, detail };
}
