import { z } from 'zod';
import type { Inbox, InboxDelivery, InboxSnapshot, Verification } from './inbox-model';

/**
 * The inbox's memory: named inboxes and the last deliveries of each, bounded, and the listeners
 * of the live feed. Nothing is kept between runs.
 */

export interface InboxLimits {
  /** Inboxes at most; a delivery to a new name past it is refused. */
  maxInboxes: number;
  /** Deliveries kept per inbox, newest; older ones are dropped. */
  deliveriesPerInbox: number;
  /** Bytes of a body kept for the page (the whole body is verified). */
  maxBodyBytes: number;
}

export const defaultInboxLimits: InboxLimits = {
  maxInboxes: 100,
  deliveriesPerInbox: 200,
  maxBodyBytes: 64 * 1024,
};

export type InboxChange = { kind: 'inbox'; inbox: Inbox } | { kind: 'delivery'; delivery: InboxDelivery };

/** There are `maxInboxes` already. */
export class TooManyInboxes extends Error {
  constructor(readonly max: number) {
    super(`There are ${max} inboxes already, the most local mode keeps; restart it to start over.`);
    this.name = 'TooManyInboxes';
  }
}

/** What arrived, before the inbox gives it an id. */
export interface Received {
  receivedAt: Date;
  /** Name and value pairs as received (Node's `rawHeaders`, paired). */
  headers: Array<[string, string]>;
  body: Buffer;
  verification: Verification;
}

const typed = z.object({ type: z.string() });

/** The envelope's `type`, when the body is a JSON object that has a string one. */
export function eventTypeOf(body: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    // Not JSON: a delivery from something other than Herald. Shown as it came.
    return null;
  }
  const parsed = typed.safeParse(json);
  return parsed.success ? parsed.data.type : null;
}

/** The first value of header `name` (any case). */
/**
 * A header as the page shows it: as received, but a credential (an OAuth webhook's bearer token,
 * minted for the real endpoint) only by its scheme and last four characters.
 */
function shownHeader([name, value]: [string, string]): [string, string] {
  if (!/^(authorization|proxy-authorization|cookie)$/i.test(name)) return [name, value];
  const [scheme, credential] = value.includes(' ') ? value.split(/ (.*)/s) : ['', value];
  const tail = (credential ?? '').length > 8 ? (credential ?? '').slice(-4) : '';
  return [name, `${scheme ? `${scheme} ` : ''}…${tail} (hidden)`];
}

export function headerValue(headers: ReadonlyArray<[string, string]>, name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

interface Kept {
  inbox: Inbox;
  /** Newest first. */
  deliveries: InboxDelivery[];
}

export class InboxStore {
  private readonly inboxes = new Map<string, Kept>();
  private readonly listeners = new Set<(change: InboxChange) => void>();
  private sequence = 0;

  constructor(
    /** The URL a webhook delivers to for inbox `name`. */
    private readonly urlOf: (name: string) => string,
    private readonly limits: InboxLimits = defaultInboxLimits,
  ) {}

  /** Inbox `name`, made now if new; throws {@link TooManyInboxes} when it cannot be. */
  open(name: string, now: Date): { inbox: Inbox; created: boolean } {
    const created = !this.inboxes.has(name);
    return { inbox: this.kept(name, now).inbox, created };
  }

  private kept(name: string, now: Date): Kept {
    const existing = this.inboxes.get(name);
    if (existing) return existing;
    if (this.inboxes.size >= this.limits.maxInboxes) throw new TooManyInboxes(this.limits.maxInboxes);
    const made: Kept = {
      inbox: { name, url: this.urlOf(name), created_at: now.toISOString(), received: 0 },
      deliveries: [],
    };
    this.inboxes.set(name, made);
    this.emit({ kind: 'inbox', inbox: made.inbox });
    return made;
  }

  /** Keeps what inbox `name` received (opening it if new), and tells the listeners. */
  receive(name: string, received: Received): InboxDelivery {
    const kept = this.kept(name, received.receivedAt);
    const shown = received.body.subarray(0, this.limits.maxBodyBytes).toString('utf8');
    const delivery: InboxDelivery = {
      // Zero-padded so that ids sort as they arrived.
      id: `d${String(++this.sequence).padStart(8, '0')}`,
      inbox: name,
      received_at: received.receivedAt.toISOString(),
      event_type: eventTypeOf(received.body.toString('utf8')),
      webhook_id: headerValue(received.headers, 'webhook-id') ?? null,
      headers: received.headers.map(shownHeader),
      body: shown,
      body_bytes: received.body.length,
      truncated: received.body.length > this.limits.maxBodyBytes,
      verification: received.verification,
    };
    kept.deliveries = [delivery, ...kept.deliveries].slice(0, this.limits.deliveriesPerInbox);
    kept.inbox = { ...kept.inbox, received: kept.inbox.received + 1 };
    this.emit({ kind: 'delivery', delivery });
    this.emit({ kind: 'inbox', inbox: kept.inbox });
    return delivery;
  }

  get(name: string): { inbox: Inbox; deliveries: InboxDelivery[] } | undefined {
    const kept = this.inboxes.get(name);
    return kept && { inbox: kept.inbox, deliveries: kept.deliveries };
  }

  list(): Inbox[] {
    return [...this.inboxes.values()].map((k) => k.inbox).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Everything kept: every inbox, and every delivery newest first. */
  snapshot(): InboxSnapshot {
    const deliveries = [...this.inboxes.values()]
      .flatMap((k) => k.deliveries)
      .sort((a, b) => b.id.localeCompare(a.id));
    return { inboxes: this.list(), deliveries };
  }

  /** Calls `listener` with each change from now on; answers the function that stops it. */
  subscribe(listener: (change: InboxChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: InboxChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
