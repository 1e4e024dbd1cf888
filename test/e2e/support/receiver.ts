import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { z } from 'zod';

/** One request a receiver got, as it got it. */
export interface Hit {
  /** When the whole request had arrived. */
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When Herald closed the connection before the response was complete. */
  abortedAt?: number;
}

/** Answers one request; the hit is already recorded. */
export type Respond = (hit: Hit, response: ServerResponse, request: IncomingMessage) => void;

export interface Receiver {
  /** `http://127.0.0.1:PORT`, to put a path after. */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  hits: Hit[];
  /** The hits on exactly `path`. */
  at(path: string): Hit[];
  /** The status the default answer gives each path; 200 when unset. */
  answers: Map<string, number>;
  close(): Promise<void>;
}

/**
 * The default answer: the status set for the path in `answers` (200 otherwise), with a body that
 * names both, so a test can recognise it in the delivery log's response excerpt.
 */
const answerByPath =
  (answers: Map<string, number>): Respond =>
  (hit, response) => {
    const status = answers.get(hit.path) ?? 200;
    response.writeHead(status, { 'Content-Type': 'text/plain' }).end(`answer ${status} from ${hit.path}`);
  };

/**
 * An HTTP receiver on 127.0.0.1 that records every request, on `port` when given (to come back
 * where an earlier one was). `respond` answers; by default each path answers its status in
 * `answers`.
 */
export async function startReceiver(options: { respond?: Respond; port?: number } = {}): Promise<Receiver> {
  const hits: Hit[] = [];
  const answers = new Map<string, number>();
  const respond = options.respond ?? answerByPath(answers);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hit: Hit = {
        at: Date.now(),
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      response.on('close', () => {
        if (!response.writableFinished) hit.abortedAt = Date.now();
      });
      respond(hit, response, request);
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    at: (path) => hits.filter((hit) => hit.path === path),
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A receiver for the whole file: started before its tests, closed after them. */
export function useReceiver(options: { respond?: Respond } = {}): () => Receiver {
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await startReceiver(options);
  });
  afterAll(async () => {
    await receiver?.close();
  });
  return () => {
    if (!receiver) throw new Error('The receiver starts in beforeAll: use it inside a test or hook.');
    return receiver;
  };
}

const signedBody = z.record(z.unknown());

/**
 * Checks the Standard Webhooks signature of a hit with the webhook's secret and returns the
 * verified body; throws when no signature verifies.
 */
export function verifySignature(secret: string, hit: Pick<Hit, 'headers' | 'body'>): Record<string, unknown> {
  return signedBody.parse(
    new StandardWebhook(secret).verify(hit.body, {
      'webhook-id': String(hit.headers['webhook-id']),
      'webhook-timestamp': String(hit.headers['webhook-timestamp']),
      'webhook-signature': String(hit.headers['webhook-signature']),
    }),
  );
}

/** Whether a signature of the hit verifies with `secret`. */
export function isSignedBy(secret: string, hit: Pick<Hit, 'headers' | 'body'>): boolean {
  try {
    verifySignature(secret, hit);
    return true;
  } catch {
    return false;
  }
}
