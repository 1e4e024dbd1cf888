import { useEffect, useState } from 'preact/hooks';
import { inboxFeedEvents, inboxPaths } from '../../local/inbox-model';
import {
  applyFeedMessage,
  emptyFeed,
  type FeedMessage,
  type FeedState,
  parseFeedMessage,
} from './feed-state';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface Feed {
  state: FeedState;
  connection: Connection;
  /** The last message that was not a snapshot, to announce. */
  latest: FeedMessage | undefined;
}

/**
 * The inbox's live feed (Server-Sent Events): a snapshot on each (re)connection, then each inbox
 * and delivery as it comes. The browser reconnects by itself when local mode restarts.
 */
export function useFeed(): Feed {
  const [feed, setFeed] = useState<Feed>({ state: emptyFeed, connection: 'connecting', latest: undefined });
  useEffect(() => {
    const source = new EventSource(inboxPaths.feed);
    const onMessage = (event: MessageEvent<string>) => {
      const message = parseFeedMessage(event.type, event.data);
      if (!message) return;
      setFeed((current) => ({
        state: applyFeedMessage(current.state, message),
        connection: 'live',
        latest: message.kind === 'snapshot' ? current.latest : message,
      }));
    };
    for (const name of Object.values(inboxFeedEvents)) source.addEventListener(name, onMessage);
    source.onerror = () => setFeed((current) => ({ ...current, connection: 'reconnecting' }));
    return () => source.close();
  }, []);
  return feed;
}
