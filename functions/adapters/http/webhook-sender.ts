import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import type { SendResult } from '../../domain/ports';
import { FORBIDDEN_TARGET_CODE } from './safe-dispatcher';

/**
 * The outbound HTTP sender: one POST, bounded in time and in how much of the answer it reads, no
 * redirects followed, and every network-level problem returned as a value, never thrown. It logs
 * nothing; the caller records the attempt.
 */

/** The result types are the domain's (ports.ts): the sender is an adapter of that port. */
export type { SendResult };
export type SendErrorReason = Extract<SendResult, { outcome: 'error' }>['reason'];

export interface SendRequest {
  url: string;
  body: string;
  /** Added to (and, by lower-cased name, overriding) `content-type: application/json` and `user-agent`. */
  headers: Record<string, string>;
  /** A shorter limit than the sender's `totalTimeoutMs` for this call: the time its invocation has left. */
  timeoutMs?: number;
}

export type Send = (request: SendRequest) => Promise<SendResult>;

export interface WebhookSender {
  send: Send;
}

export interface WebhookSenderOptions {
  /** The dispatcher to send through: the agent from `createSafeAgent`. */
  readonly agent: Dispatcher;
  /**
   * The whole attempt, connect to last byte read.
   * @default 15000
   */
  readonly totalTimeoutMs?: number;
  /**
   * How much of the response body is kept.
   * @default 4096
   */
  readonly maxResponseBytes?: number;
  /** @default 'Herald-Webhooks/1.0' */
  readonly userAgent?: string;
}

/**
 * After the excerpt, up to this much more is read so the socket can go back to the pool; a longer
 * (or endless) body costs a new connection instead.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const MAX_DETAIL_LENGTH = 300;

/** Parsed URLs kept per sender: a container sends to few URLs, many times each. */
const TARGET_CACHE_LIMIT = 1_000;

interface Target {
  origin: string;
  path: string;
}

/** Why the overall timer aborted the request, told apart from any other abort. */
class SendTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = 'SendTimeout';
  }
}

/** Makes the sender: `send` POSTs a JSON body and resolves with a {@link SendResult}. */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const {
    agent,
    totalTimeoutMs = 15000,
    maxResponseBytes = 4096,
    userAgent = 'Herald-Webhooks/1.0',
  } = options;

  const targets = new Map<string, Target>();

  async function send({ url, body, headers, timeoutMs }: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const limitMs =
      timeoutMs !== undefined && timeoutMs < totalTimeoutMs
        ? Math.max(1, Math.floor(timeoutMs))
        : totalTimeoutMs;
    // An EventEmitter as the abort signal: undici accepts one, and on Node 20 an AbortController
    // per request costs about as much as the rest of the send (bench/delivery.ts).
    const abort = new EventEmitter();
    let timedOut = false;
    // headersTimeout and bodyTimeout are idle timers: a body that drips one byte at a time never
    // trips them, so one timer bounds the whole attempt, body included.
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit('abort', new SendTimeout(limitMs));
    }, limitMs);
    try {
      const { origin, path } = targetOf(targets, url);
      // The Dispatcher method, not undici's request(url) helper, which parses and copies again.
      const response = await agent.request({
        origin,
        path,
        method: 'POST',
        body,
        headers: requestHeaders(headers, userAgent),
        signal: abort,
        headersTimeout: limitMs,
        bodyTimeout: limitMs,
        // No redirect interceptor on the agent: a 3xx is an answer like any other.
      });
      const bodyExcerpt = await readExcerpt(
        response.body,
        maxResponseBytes,
        response.headers['content-length'],
      );
      return {
        outcome: 'response',
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        bodyExcerpt,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      return {
        outcome: 'error',
        ...classifySendError(error, timedOut),
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  return { send };
}

/** Where `url` points, parsed once. Throws on an invalid URL, which `send` reports as 'network'. */
function targetOf(cache: Map<string, Target>, url: string): Target {
  let target = cache.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (cache.size >= TARGET_CACHE_LIMIT) cache.clear();
    cache.set(url, target);
  }
  return target;
}

function requestHeaders(given: Record<string, string>, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent };
  for (const name of Object.keys(given)) headers[name.toLowerCase()] = given[name] as string;
  return headers;
}

/**
 * Reads the first `limit` bytes as text. The rest is read and dropped when it is short, so the
 * connection stays reusable; otherwise the body is destroyed, and undici closes the socket rather
 * than pool it half-read. Stream events rather than `for await`: Node's async iterator over a
 * stream costs more CPU than the rest of reading a short answer (bench/delivery.ts).
 */
function readExcerpt(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  contentLength: string | string[] | undefined,
): Promise<string> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : Number.NaN;
  const worthDraining = !(declared > limit + DRAIN_LIMIT_BYTES);
  // Destroyed already (the timer fired): it will emit nothing more to wait for.
  if (body.destroyed) return Promise.resolve('');
  // A StringDecoder holds back a multi-byte character cut by a chunk's end or the limit instead
  // of mangling it. It is made only once a part ends inside such a character: until then each
  // part is whole text, which toString decodes as the decoder would, and most answers are ASCII.
  let decoder: StringDecoder | undefined;
  let excerpt = '';
  let kept = 0;
  let seen = 0;
  return new Promise((resolve) => {
    let stopped = false;
    body.on('data', (chunk: Buffer) => {
      if (stopped) return;
      if (kept < limit) {
        const part = chunk.length <= limit - kept ? chunk : chunk.subarray(0, limit - kept);
        if (!decoder && (part[part.length - 1] ?? 0x80) < 0x80) excerpt += part.toString('utf8');
        else {
          decoder ??= new StringDecoder('utf8');
          excerpt += decoder.write(part);
        }
        kept += part.length;
      }
      seen += chunk.length;
      if (kept >= limit && (!worthDraining || seen > limit + DRAIN_LIMIT_BYTES)) {
        stopped = true;
        resolve(excerpt);
        body.destroy();
      }
    });
    // A promise settles once: the first of these gives the excerpt. After an error (the timer, a
    // reset, or the destroy above, which undici reports as RequestAbortedError) the status has
    // arrived all the same, so it is a response, with the excerpt read so far.
    body.on('end', () => resolve(excerpt));
    body.on('error', () => resolve(excerpt));
    body.on('close', () => resolve(excerpt));
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

interface ErrorFacts {
  code?: string;
  name?: string;
  message?: string;
  reason?: string;
}

/** The error and its causes (undici and Node wrap: `cause`, and `errors` of an AggregateError). */
function errorChain(error: unknown): ErrorFacts[] {
  const chain: ErrorFacts[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 8) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    const record = next as Record<string, unknown>;
    chain.push({
      code: typeof record.code === 'string' ? record.code : undefined,
      name: typeof record.name === 'string' ? record.name : undefined,
      message: typeof record.message === 'string' ? record.message : undefined,
      reason: typeof record.reason === 'string' ? record.reason : undefined,
    });
    if (record.cause !== undefined) queue.push(record.cause);
    if (Array.isArray(record.errors)) queue.push(...record.errors);
  }
  return chain;
}

const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA']);
const timeoutCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const tlsCode = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/;

function describe(facts: ErrorFacts): string {
  const text = [facts.code, facts.message].filter(Boolean).join(': ') || facts.name || 'unknown error';
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
}

/**
 * Maps what `request` threw to a reason. `timedOut` is whether the overall timer fired, which
 * wins: whatever undici reports after an abort is a consequence of it.
 */
export function classifySendError(
  error: unknown,
  timedOut: boolean,
): { reason: SendErrorReason; detail: string } {
  const chain = errorChain(error);
  const top = chain[0] ?? {};
  if (timedOut) return { reason: 'timeout', detail: describe(top) };
  const find = (test: (facts: ErrorFacts) => boolean) => chain.find(test);
  const forbidden = find((f) => f.code === FORBIDDEN_TARGET_CODE);
  if (forbidden) return { reason: 'forbidden_target', detail: forbidden.reason ?? 'forbidden address' };
  const timeout = find(
    (f) => (f.code !== undefined && timeoutCodes.has(f.code)) || f.name === 'TimeoutError',
  );
  if (timeout) return { reason: 'timeout', detail: describe(timeout) };
  const refused = find((f) => f.code === 'ECONNREFUSED');
  if (refused) return { reason: 'connection_refused', detail: describe(refused) };
  const dns = find((f) => f.code !== undefined && dnsCodes.has(f.code));
  if (dns) return { reason: 'dns', detail: describe(dns) };
  const tls = find((f) => f.code !== undefined && tlsCode.test(f.code));
  if (tls) return { reason: 'tls', detail: describe(tls) };
  return { reason: 'network', detail: describe(top) };
}
