import { randomBytes } from 'node:crypto';

const crockford = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array): string {
  // Five bytes are eight characters exactly: each group is read as one 40-bit number (exact in a
  // double), so ids, made for every delivery, cost a few string appends rather than a bit loop.
  let out = '';
  let at = 0;
  for (; at + 5 <= bytes.length; at += 5) {
    const low =
      (((bytes[at + 1] ?? 0) << 24) |
        ((bytes[at + 2] ?? 0) << 16) |
        ((bytes[at + 3] ?? 0) << 8) |
        (bytes[at + 4] ?? 0)) >>>
      0;
    let group = (bytes[at] ?? 0) * 2 ** 32 + low;
    let chars = '';
    for (let i = 0; i < 8; i++) {
      chars = crockford[group % 32] + chars;
      group = Math.floor(group / 32);
    }
    out += chars;
  }
  let buffer = 0;
  let bits = 0;
  for (; at < bytes.length; at++) {
    buffer = (buffer << 8) | (bytes[at] ?? 0);
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

/** `n` (below 32^count, at most 2^40) as `count` base32 digits, most significant first. */
function digits(n: number, count: number): string {
  let out = '';
  for (let i = count - 1; i >= 0; i--) out += crockford[Math.floor(n / (powersOf32[i] ?? 1)) % 32];
  return out;
}
const powersOf32 = Array.from({ length: 9 }, (_, i) => 32 ** i);

/**
 * {@link timeOrderedId} for many tails of one time, the tail given as its first 20 hex digits
 * (80 bits): the time's characters are encoded once, and each id is a few arithmetic steps with
 * no byte buffer. The same ids as `timeOrderedId(prefix, ms, bytesOf(tailHex))`, character for
 * character (the delivery-id tests pin them).
 */
export function timeOrderedIdsAt(prefix: string, ms: number): (tailHex: string) => string {
  const time = Math.min(Math.max(Math.floor(ms), 0), maxIdMs);
  // 26 characters of 5 bits hold 130: the time's 48 bits, the tail's 80 and 2 zero bits. The first
  // 9 characters are the time's top 45 bits; the 10th its last 3 and the tail's first 2.
  const head = `${prefix}_${digits(Math.floor(time / 8), 9)}`;
  const timeLow = (time % 8) * 4;
  return (tailHex) => {
    const high = Number.parseInt(tailHex.slice(0, 10), 16); // tail bits 79..40
    const low = Number.parseInt(tailHex.slice(10, 20), 16); // tail bits 39..0
    const high38 = high % 2 ** 38;
    return (
      head +
      crockford[timeLow + Math.floor(high / 2 ** 38)] +
      digits(Math.floor(high38 / 8), 7) +
      crockford[(high38 % 8) * 4 + Math.floor(low / 2 ** 38)] +
      digits((low % 2 ** 38) * 4, 8)
    );
  };
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
