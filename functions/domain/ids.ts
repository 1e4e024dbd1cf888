import { randomBytes } from 'node:crypto';

const crockford = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += crockford[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += crockford[(buffer << (5 - bits)) & 31];
  return out;
}

/** The 16 bytes of a 26-character body {@link base32} wrote; undefined for any other string. */
function unbase32(body: string): Uint8Array | undefined {
  if (body.length !== 26) return undefined;
  const bytes = new Uint8Array(16);
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of body) {
    const value = crockford.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (at < 16) bytes[at++] = (buffer >>> bits) & 0xff;
    }
  }
  // The last character carries 3 bits and 2 of padding: only the form base32 writes is accepted.
  return base32(bytes) === body ? bytes : undefined;
}

/** Milliseconds since the epoch in the 48 bits an id keeps (years 1970 to 10889). */
const maxIdMs = 2 ** 48 - 1;

/**
 * A prefixed, time-ordered id: 48 bits of milliseconds then 80 bits of `tail`, in Crockford
 * base32, so ids of one prefix sort by their time as strings.
 */
export function timeOrderedId(prefix: string, ms: number, tail: Uint8Array): string {
  const bytes = new Uint8Array(16);
  let rest = Math.min(Math.max(Math.floor(ms), 0), maxIdMs);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes.set(tail.subarray(0, 10), 6);
  return `${prefix}_${base32(bytes)}`;
}

/** The milliseconds and the 10-byte tail of an id's 26-character body; undefined if malformed. */
export function timeOrderedParts(body: string): { ms: number; tail: Uint8Array } | undefined {
  const bytes = unbase32(body);
  if (!bytes) return undefined;
  let ms = 0;
  for (let i = 0; i < 6; i++) ms = ms * 256 + (bytes[i] ?? 0);
  return { ms, tail: bytes.subarray(6) };
}

/**
 * A prefixed, time-ordered id (`wh_01k...`): 48 bits of milliseconds then 80 random bits, in
 * Crockford base32, so ids sort by creation time and listing needs no extra index.
 */
export function newId(prefix: string, now: Date = new Date()): string {
  return timeOrderedId(prefix, now.getTime(), randomBytes(10));
}

/** Ids Herald issues, checked before they reach a key expression. */
export const webhookIdPattern = /^wh_[0-9a-hjkmnp-tv-z]{26}$/;

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
