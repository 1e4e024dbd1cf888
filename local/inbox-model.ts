import { z } from 'zod/v4/mini';

/**
 * The inbox's wire format: what local mode sends (the page's live feed, `GET /inbox/{name}`) and
 * the page parses. zod's mini build, as the page carries it: a few KB instead of zod's 50.
 */

/** An inbox name: a path segment that needs no escaping; `_` first is kept for the inbox's own routes. */
export const inboxNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const verificationSchema = z.object({
  /**
   * `verified`: a current secret of a webhook whose url is this inbox's signed it;
   * `not_verified`: none did (or the signature headers are missing or stale);
   * `no_webhook`: no webhook has this inbox's url, so there is nothing to verify against.
   */
  status: z.enum(['verified', 'not_verified', 'no_webhook']),
  /** The ids of the webhooks whose url is this inbox's; never a secret. */
  webhooks: z.array(z.string()),
  /** The webhook whose secret verified the signature, when one did. */
  verified_by: z.nullable(z.string()),
  /** Why it did not verify, in the library's words; empty when it did. */
  detail: z.string(),
});

export const inboxDeliverySchema = z.object({
  /** The inbox's own id for what it received (`webhook-id` may repeat: retries). */
  id: z.string(),
  inbox: z.string(),
  received_at: z.string(),
  /** The envelope's `type`, when the body is JSON with one. */
  event_type: z.nullable(z.string()),
  webhook_id: z.nullable(z.string()),
  /** As received, in order, names as the sender spelt them. */
  headers: z.array(z.tuple([z.string(), z.string()])),
  /** As received (UTF-8), cut at a limit the page can show. */
  body: z.string(),
  body_bytes: z.number(),
  truncated: z.boolean(),
  verification: verificationSchema,
});

export const inboxSchema = z.object({
  name: z.string(),
  /** Where to deliver: a webhook's `url`. */
  url: z.string(),
  created_at: z.string(),
  /** Every delivery it received, also those no longer kept. */
  received: z.number(),
});

/** The live feed's first message, and again after each reconnection: everything kept. */
export const inboxSnapshotSchema = z.object({
  inboxes: z.array(inboxSchema),
  /** Newest first. */
  deliveries: z.array(inboxDeliverySchema),
});

export type Verification = z.infer<typeof verificationSchema>;
export type InboxDelivery = z.infer<typeof inboxDeliverySchema>;
export type Inbox = z.infer<typeof inboxSchema>;
export type InboxSnapshot = z.infer<typeof inboxSnapshotSchema>;

/** The live feed's event names (Server-Sent Events `event:` field). */
export const inboxFeedEvents = { snapshot: 'snapshot', inbox: 'inbox', delivery: 'delivery' } as const;

/** Where the inbox's routes live, below local mode's API origin. */
export const inboxPaths = {
  page: '/inbox',
  /** Receives deliveries (POST), answers its deliveries as JSON (GET), is created by PUT. */
  inbox: (name: string) => `/inbox/${name}`,
  list: '/inbox/_/inboxes',
  feed: '/inbox/_/feed',
} as const;
