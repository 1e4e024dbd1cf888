import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalRoute } from './api-gateway';
import { inboxFeedEvents, inboxNamePattern } from './inbox-model';
import { type InboxStore, TooManyInboxes } from './inbox-store';
import { verifyDelivery } from './inbox-verify';
import type { FindInboxWebhooks } from './inbox-webhooks';

/**
 * The inbox's HTTP routes, below `/inbox/` on local mode's API origin (the page itself is one of
 * the UI's, local/ui.ts):
 * - `POST /inbox/{name}`: a delivery; any webhook's `url` may be this (local mode allows loopback
 *   targets). Kept, checked against the signing secrets of the webhooks with this url, answered 200.
 * - `PUT /inbox/{name}`: makes the inbox (a delivery makes it too); `GET /inbox/{name}`: it and
 *   its deliveries, newest first, as JSON.
 * - `GET /inbox/_/inboxes`: every inbox; `GET /inbox/_/feed`: the page's live feed
 *   (Server-Sent Events): a snapshot, then each change.
 */

export interface InboxRoutesOptions {
  store: InboxStore;
  findWebhooks: FindInboxWebhooks;
  now?: () => Date;
  /** A delivery's body at most; more is refused with 413. @default 1 MiB */
  maxRequestBytes?: number;
  /** Between the feed's keep-alive comments, which stop idle proxies and browsers dropping it. @default 15 s */
  keepAliveMs?: number;
}

const jsonHeaders = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...jsonHeaders, ...headers });
  res.end(JSON.stringify(body));
}

async function readLimited(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > max) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Node's `rawHeaders` as name and value pairs, as the sender wrote them. */
function headerPairs(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return pairs;
}

export function inboxRoutes(options: InboxRoutesOptions): LocalRoute {
  const { store, findWebhooks } = options;
  const now = options.now ?? (() => new Date());
  const maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
  const keepAliveMs = options.keepAliveMs ?? 15_000;

  const feed = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    // Reconnect soon after local mode restarts: the page then gets a fresh snapshot.
    res.write('retry: 1000\n\n');
    send(inboxFeedEvents.snapshot, store.snapshot());
    const unsubscribe = store.subscribe((change) =>
      change.kind === 'inbox'
        ? send(inboxFeedEvents.inbox, change.inbox)
        : send(inboxFeedEvents.delivery, change.delivery),
    );
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();
    req.once('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
    });
  };

  const receive = async (req: IncomingMessage, res: ServerResponse, name: string, path: string) => {
    const body = await readLimited(req, maxRequestBytes);
    if (body === undefined)
      return sendJson(res, 413, { error: `A delivery may have ${maxRequestBytes} bytes.` });
    const receivedAt = now();
    const headers = headerPairs(req.rawHeaders);
    // The port this request came in on: the one a webhook's url must name to be this inbox's.
    const webhooks = await findWebhooks(req.socket.localPort ?? 0, path, receivedAt);
    const verification = verifyDelivery(body.toString('utf8'), headers, webhooks);
    const delivery = store.receive(name, { receivedAt, headers, body, verification });
    sendJson(res, 200, { received: delivery.id, verification: verification.status });
  };

  return async (req, res, url) => {
    const rest = url.pathname.match(/^\/inbox\/(.+)$/)?.[1];
    if (rest === undefined) return false;
    const method = req.method ?? 'GET';
    const reading = method === 'GET' || method === 'HEAD';
    if (rest === '_/feed' && reading) {
      feed(req, res);
    } else if (rest === '_/inboxes' && reading) {
      sendJson(res, 200, { inboxes: store.list() });
    } else if (!inboxNamePattern.test(rest)) {
      sendJson(res, 404, {
        error: 'No such inbox route. Inbox names are letters, digits, ".", "_" and "-", up to 64.',
      });
    } else {
      try {
        if (method === 'POST') {
          await receive(req, res, rest, url.pathname);
        } else if (method === 'PUT') {
          const { inbox, created } = store.open(rest, now());
          sendJson(res, created ? 201 : 200, inbox);
        } else if (reading) {
          const kept = store.get(rest);
          if (kept) sendJson(res, 200, kept);
          else sendJson(res, 404, { error: `No inbox named ${rest}: PUT or POST to this URL makes it.` });
        } else {
          sendJson(
            res,
            405,
            { error: `${method} is not an inbox method.` },
            { Allow: 'GET, HEAD, PUT, POST' },
          );
        }
      } catch (error) {
        if (!(error instanceof TooManyInboxes)) throw error;
        sendJson(res, 409, { error: error.message });
      }
    }
    return true;
  };
}
