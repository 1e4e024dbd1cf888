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

/**
 * A prefixed, time-ordered id (`wh_01k...`): 48 bits of milliseconds then 80 random bits, in
 * Crockford base32, so ids sort by creation time and listing needs no extra index.
 */
export function newId(prefix: string, now: Date = new Date()): string {
  const bytes = new Uint8Array(16);
  let ms = now.getTime();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(randomBytes(10), 6);
  return `${prefix}_${base32(bytes)}`;
}

/** Ids Herald issues, checked before they reach a key expression. */
export const webhookIdPattern = /^wh_[0-9a-hjkmnp-tv-z]{26}$/;

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
