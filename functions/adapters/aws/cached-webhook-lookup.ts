import type { WebhookStore } from '../../domain/ports';
import type { Webhook } from '../../domain/webhook';

/**
 * Webhooks as the delivery function reads them: cached per container for a short while, since a
 * burst of deliveries usually goes to few webhooks. An edit takes effect within `ttlMs`.
 */
export class CachedWebhookLookup {
  private readonly cache = new Map<string, { webhook: Webhook | undefined; until: number }>();

  constructor(
    private readonly store: Pick<WebhookStore, 'get'>,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async get(tenant: string, id: string): Promise<Webhook | undefined> {
    const key = `${tenant}/${id}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.webhook;
    const webhook = await this.store.get(tenant, id);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(key, { webhook, until: this.now() + this.ttlMs });
    return webhook;
  }

  /** Forgets one webhook, after this container changed it (say, disabled it). */
  invalidate(tenant: string, id: string): void {
    this.cache.delete(`${tenant}/${id}`);
  }
}
