import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { webhookFromItem } from '../functions/adapters/aws/dynamodb-webhook-store';
import type { Webhook } from '../functions/domain/webhook';
import { signingSecretsAt } from '../functions/domain/webhook-model';
import type { InboxWebhook } from './inbox-verify';

/**
 * The webhooks, of any tenant, whose `url` is an inbox's. The table has no index by URL (the
 * service never asks this), so local mode scans it: a few thousand items at most here.
 */

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether `url` reaches local mode's inbox at `path` on `port`, by whichever loopback name, as the delivery
 * would, and any query (which the inbox ignores).
 */
export function isInboxUrl(url: string, port: number, path: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const urlPort = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return (
    parsed.protocol === 'http:' &&
    loopbackHosts.has(parsed.hostname) &&
    urlPort === port &&
    parsed.pathname === path
  );
}

export type FindInboxWebhooks = (port: number, path: string, now: Date) => Promise<InboxWebhook[]>;

/** Finds, by a scan of `tableName`, the webhooks that deliver to the inbox at `path` on `port`, with their current secrets. */
export function inboxWebhookFinder(client: DynamoDBDocumentClient, tableName: string): FindInboxWebhooks {
  return async (port, path, now) => {
    const found: Webhook[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          // `contains` narrows what comes back; isInboxUrl decides.
          FilterExpression: 'kind = :webhook AND contains(#attributes.#url, :path)',
          ExpressionAttributeNames: { '#attributes': 'attributes', '#url': 'url' },
          ExpressionAttributeValues: { ':webhook': 'webhook', ':path': path },
          ExclusiveStartKey: start,
          // A rotation that has answered counts at once, as it does for deliveries.
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        const webhook = webhookFromItem(item);
        if (isInboxUrl(webhook.attributes.url, port, path)) found.push(webhook);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found.map((w) => ({ id: w.id, secrets: signingSecretsAt(w, now) }));
  };
}
