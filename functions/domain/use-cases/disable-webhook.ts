import { type Clock, StaleWebhook, type WebhookStore } from '../ports';

// Apart from the API's webhook use cases, so the delivery function, which disables failing
// webhooks, does not carry the API's request validation in its bundle.

/**
 * Disables a webhook on Herald's own initiative (its endpoint is gone or keeps failing), keeping
 * the reason and time for the customer. False when it was already disabled or deleted.
 */
export async function disableWebhook(
  store: Pick<WebhookStore, 'get' | 'update'>,
  clock: Clock,
  tenant: string,
  id: string,
  reason: string,
): Promise<boolean> {
  // A customer's edit may race this one: read again and retry a couple of times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await store.get(tenant, id);
    if (!current || current.status === 'disabled') return false;
    const now = clock.now().toISOString();
    try {
      await store.update(current, {
        ...current,
        status: 'disabled',
        disabledReason: reason,
        disabledAt: now,
        updatedAt: now,
        version: current.version + 1,
      });
      return true;
    } catch (error) {
      if (!(error instanceof StaleWebhook)) throw error;
    }
  }
  return false;
}
