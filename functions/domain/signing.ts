import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), the scheme Svix uses, so receivers
 * can verify with the `standardwebhooks` or `svix` libraries they already have: HMAC-SHA256 over
 * `id.timestamp.body`, one `v1,<base64>` per secret.
 */

/** The three headers every delivery carries. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The same three values under the names the platform's current (Svix) deliveries use. */
export interface SvixHeaders {
  'svix-id': string;
  'svix-timestamp': string;
  'svix-signature': string;
}

export interface SignatureInput {
  /** The delivery id (`msg_...`), stable across retries. */
  id: string;
  /** When this attempt is sent: receivers refuse a timestamp more than 5 minutes off. */
  timestamp: Date | number;
  /** The exact body that will be sent. */
  body: string;
  /** `whsec_<base64>` secrets; during a rotation both the new and the old one. */
  secrets: readonly string[];
}

const secretPrefix = 'whsec_';
/** A header value Herald sends as it is: visible ASCII, no space or line break. */
const headerSafeId = /^[\x21-\x7e]+$/;
/** The Standard Webhooks spec asks for keys of 24 to 64 bytes. */
const minSecretBytes = 24;
const maxSecretBytes = 64;

/**
 * The HMAC key inside a `whsec_<base64>` secret. Throws when the secret is malformed; the message
 * never quotes the secret, since it may end up in a log.
 */
export function decodeSigningSecret(secret: string): Buffer {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : undefined;
  // Buffer's base64 decoder skips bad characters silently, so check the text is canonical base64.
  const key = encoded && /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
  if (
    !key ||
    key.toString('base64') !== encoded ||
    key.length < minSecretBytes ||
    key.length > maxSecretBytes
  ) {
    throw new Error(
      `Malformed signing secret: expected ${secretPrefix} followed by base64 of ${minSecretBytes} to ${maxSecretBytes} bytes`,
    );
  }
  return key;
}

/** Decoded keys by secret: a container signs for few webhooks, many times each. */
const keyCache = new Map<string, KeyObject>();
const keyCacheLimit = 10_000;

function signingKey(secret: string): KeyObject {
  let key = keyCache.get(secret);
  if (!key) {
    key = createSecretKey(decodeSigningSecret(secret));
    if (keyCache.size >= keyCacheLimit) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

/**
 * The Standard Webhooks headers for one attempt: `webhook-signature` holds one space-separated
 * `v1,<base64 HMAC-SHA256>` per secret, so a receiver holding either the old or the new secret
 * verifies during a rotation.
 */
export function signatureHeaders(input: SignatureInput): SignatureHeaders {
  // The id is sent as a header value: a space or line break would corrupt the request.
  if (!headerSafeId.test(input.id)) throw new Error('The webhook-id must be visible ASCII');
  const timestamp = String(unixSeconds(input.timestamp));
  if (input.secrets.length === 0) throw new Error('At least one signing secret is needed');
  // Two updates rather than one of `${prefix}${body}`, which would copy the body once more.
  const signedPrefix = `${input.id}.${timestamp}.`;
  let signatures = '';
  for (const secret of input.secrets) {
    const signature = createHmac('sha256', signingKey(secret))
      .update(signedPrefix)
      .update(input.body)
      .digest('base64');
    signatures = signatures ? `${signatures} v1,${signature}` : `v1,${signature}`;
  }
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures,
  };
}

/** The same values as `svix-*` headers, for receivers written against the platform's Svix deliveries. */
export function svixHeaders(headers: SignatureHeaders): SvixHeaders {
  return {
    'svix-id': headers['webhook-id'],
    'svix-timestamp': headers['webhook-timestamp'],
    'svix-signature': headers['webhook-signature'],
  };
}

/**
 * A new object with the signature headers and, when `withSvix`, their `svix-*` copies after them:
 * the headers of one attempt, to which the caller may add its own (Authorization).
 */
export function signedRequestHeaders(headers: SignatureHeaders, withSvix: boolean): Record<string, string> {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  // Literals rather than copies (spread or Object.assign) of the two objects: one allocation.
  return withSvix
    ? {
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': signature,
        'svix-id': id,
        'svix-timestamp': timestamp,
        'svix-signature': signature,
      }
    : { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
}

function unixSeconds(timestamp: Date | number): number {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error('The webhook timestamp must be a valid date or a whole number of Unix seconds');
  }
  return seconds;
}
