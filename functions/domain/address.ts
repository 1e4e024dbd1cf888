import { isIP } from 'node:net';
import { type AllowedPorts, allowsPort, describeAllowedPorts, portOf } from './target-ports';

/**
 * Address safety: Herald must never be turned into a proxy for its own network. This module
 * decides, without any I/O, whether a URL or an IP address may be a delivery target.
 */

export type UrlProblem =
  | { code: 'invalid_url'; detail: string }
  | { code: 'insecure_url'; detail: string }
  | { code: 'forbidden_target'; detail: string }
  | { code: 'forbidden_port'; detail: string };

export interface TargetPolicy {
  /** Allow http and loopback/private targets (local mode only). */
  allowPrivateTargets: boolean;
  maxLength: number;
  /** Ports a target may use; held to whether or not private targets are allowed. */
  allowedPorts: AllowedPorts;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

const blockedV4: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local or cloud metadata'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
];

function classifyV4(ip: string): string | undefined {
  const value = ipv4ToInt(ip);
  for (const [base, bits, label] of blockedV4) {
    const size = 2 ** (32 - bits);
    const start = ipv4ToInt(base);
    if (value >= start && value < start + size) return label;
  }
  return undefined;
}

/** Expands an IPv6 address to its eight 16-bit groups. */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) becomes two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...restGroups];
  return groups.map((g) => Number.parseInt(g, 16));
}

function classifyV6(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = g;
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g7 === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms carry an IPv4 address.
  const v4Embedded =
    g.slice(0, 5).every((x) => x === 0) && (g5 === 0xffff || g5 === 0)
      ? `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`
      : undefined;
  // Herald connects over IPv4 for those, so even a public one is refused in this form.
  if (v4Embedded) return classifyV4(v4Embedded) ?? 'IPv4-mapped';
  // SIIT (::ffff:0:a.b.c.d) also embeds IPv4 in the last two groups.
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g5 === 0) {
    return classifyV4(`${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`) ?? 'IPv4-translated';
  }
  // 6to4 (2002:a.b.c.d::/48) embeds IPv4 in groups 1 and 2.
  if (g0 === 0x2002) {
    const [, g1 = 0, g2 = 0] = g;
    const embedded = classifyV4(`${g1 >> 8}.${g1 & 255}.${g2 >> 8}.${g2 & 255}`);
    if (embedded) return `6to4 ${embedded}`;
  }
  // NAT64 (64:ff9b::/96) also embeds IPv4.
  if (g0 === 0x64 && g[1] === 0xff9b) return classifyV4(`${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`);
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x2001 && g[1] === 0xdb8) return 'documentation';
  return undefined;
}

/**
 * Why an IP address may not be a delivery target (`loopback`, `private`, ...), or undefined
 * when it is a public unicast address.
 */
export function classifyBlockedAddress(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return classifyV4(ip);
  if (family === 6) return classifyV6(ip);
  return 'not an IP address';
}

/**
 * Reads hostnames that are IP literals in any notation WHATWG URL parsing accepts: the URL parser
 * already normalises `0x7f.1`, `2130706433` and `017700000001` to dotted IPv4, and keeps IPv6 in
 * brackets.
 */
function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

const localNames = /(^|\.)(localhost|localdomain|internal|local)$/i;

/**
 * Checks a target URL (a webhook's `url` or `authentication_server`) as saved: absolute, https,
 * bounded, no credentials, on an allowed port, and not naming a forbidden address. Names are resolved and checked
 * again at connect time by the sender.
 */
export function checkTargetUrl(raw: string, policy: TargetPolicy): UrlProblem | undefined {
  if (raw.length > policy.maxLength) {
    return { code: 'invalid_url', detail: `must be at most ${policy.maxLength} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: 'invalid_url', detail: 'must be an absolute URL such as https://example.com/webhook' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { code: 'invalid_url', detail: `must use https, not ${url.protocol.replace(':', '')}` };
  }
  if (url.protocol === 'http:' && !policy.allowPrivateTargets) {
    return { code: 'insecure_url', detail: 'must use https' };
  }
  if (url.username || url.password) {
    return { code: 'invalid_url', detail: 'must not contain credentials' };
  }
  if (url.hash) {
    return { code: 'invalid_url', detail: 'must not contain a fragment' };
  }
  const port = portOf(url.protocol, url.port);
  if (!allowsPort(policy.allowedPorts, port)) {
    return {
      code: 'forbidden_port',
      detail: `must use ${describeAllowedPorts(policy.allowedPorts)}, not ${port}`,
    };
  }
  if (policy.allowPrivateTargets) return undefined;
  const host = url.hostname.replace(/\.$/, '');
  const literal = literalAddress(host);
  if (literal) {
    const reason = classifyBlockedAddress(literal);
    if (reason)
      return { code: 'forbidden_target', detail: `must not point at a forbidden address (${reason})` };
  } else if (localNames.test(host) || !host.includes('.')) {
    return { code: 'forbidden_target', detail: 'must name a public host' };
  }
  return undefined;
}
