import {
  type Inbox,
  type InboxDelivery,
  type InboxSnapshot,
  inboxDeliverySchema,
  inboxFeedEvents,
  inboxSchema,
  inboxSnapshotSchema,
} from '../../local/inbox-model';

/** What the page knows from the live feed: pure state and the steps that change it. */
export interface FeedState {
  inboxes: Inbox[];
  /** Newest first, at most {@link keptPerInbox} per inbox, as local mode keeps them. */
  deliveries: InboxDelivery[];
}

export const emptyFeed: FeedState = { inboxes: [], deliveries: [] };

/** As many as local mode keeps, so the page never shows more than a reload would. */
export const keptPerInbox = 200;

export type FeedMessage =
  | { kind: 'snapshot'; snapshot: InboxSnapshot }
  | { kind: 'inbox'; inbox: Inbox }
  | { kind: 'delivery'; delivery: InboxDelivery };

/**
 * One message of the feed (its SSE event name and data), parsed; `undefined` for what this page
 * does not know or cannot read, which it ignores rather than showing half of it.
 */
export function parseFeedMessage(event: string, data: string): FeedMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (event === inboxFeedEvents.snapshot) {
    const parsed = inboxSnapshotSchema.safeParse(json);
    return parsed.success ? { kind: 'snapshot', snapshot: parsed.data } : undefined;
  }
  if (event === inboxFeedEvents.inbox) {
    const parsed = inboxSchema.safeParse(json);
    return parsed.success ? { kind: 'inbox', inbox: parsed.data } : undefined;
  }
  if (event === inboxFeedEvents.delivery) {
    const parsed = inboxDeliverySchema.safeParse(json);
    return parsed.success ? { kind: 'delivery', delivery: parsed.data } : undefined;
  }
  return undefined;
}

function upsertInbox(inboxes: Inbox[], inbox: Inbox): Inbox[] {
  const rest = inboxes.filter((i) => i.name !== inbox.name);
  return [...rest, inbox].sort((a, b) => a.name.localeCompare(b.name));
}

/** The state after `message`. A snapshot replaces everything (it follows each reconnection). */
export function applyFeedMessage(state: FeedState, message: FeedMessage): FeedState {
  switch (message.kind) {
    case 'snapshot':
      return {
        inboxes: upsertAll(message.snapshot.inboxes),
        deliveries: message.snapshot.deliveries,
      };
    case 'inbox':
      return { ...state, inboxes: upsertInbox(state.inboxes, message.inbox) };
    case 'delivery': {
      const { delivery } = message;
      if (state.deliveries.some((d) => d.id === delivery.id)) return state;
      let sameInbox = 0;
      const kept = state.deliveries.filter((d) => d.inbox !== delivery.inbox || ++sameInbox < keptPerInbox);
      return { ...state, deliveries: [delivery, ...kept] };
    }
  }
}

function upsertAll(inboxes: Inbox[]): Inbox[] {
  return inboxes.reduce(upsertInbox, []);
}

/** The deliveries to show: one inbox's, or every inbox's when none is chosen. */
export function deliveriesOf(state: FeedState, inbox: string | undefined): InboxDelivery[] {
  return inbox === undefined ? state.deliveries : state.deliveries.filter((d) => d.inbox === inbox);
}
