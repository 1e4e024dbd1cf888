import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
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

/** A blocked range and what it is, as a refusal names it. */
type BlockedRange = readonly [cidr: string, label: string];

// The policy is Herald's own list, not ipaddr.js's notion of "special" (which counts public
// anycast services such as AS112 as special and lumps documentation with benchmarking);
// ipaddr.js parses the addresses and matches them against it.
const blockedV4: readonly BlockedRange[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local or cloud metadata'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved or broadcast'],
];

const blockedV6: readonly BlockedRange[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
  ['2001:db8::/32', 'documentation'],
  ['2001:2::/48', 'benchmarking'],
  ['100::/64', 'discard-only'],
  // NAT64 for a site's own network (RFC 8215): what it reaches is private by definition.
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation'],
];

type Subnets<T> = Record<string, Array<[T, number]>>;

/** Groups a table by label, parsed once, in the form ipaddr.js's `subnetMatch` takes. */
function subnets<T extends ipaddr.IPv4 | ipaddr.IPv6>(
  table: readonly BlockedRange[],
  parse: (cidr: string) => [T, number],
): Subnets<T> {
  const grouped: Subnets<T> = {};
  for (const [cidr, label] of table) {
    grouped[label] ??= [];
    grouped[label].push(parse(cidr));
  }
  return grouped;
}

const blockedV4Subnets = subnets(blockedV4, (cidr) => ipaddr.IPv4.parseCIDR(cidr));
const blockedV6Subnets = subnets(blockedV6, (cidr) => ipaddr.IPv6.parseCIDR(cidr));

function classifyV4(address: ipaddr.IPv4): string | undefined {
  return ipaddr.subnetMatch(address, blockedV4Subnets, '') || undefined;
}

/** The IPv4 address in two 16-bit groups of an IPv6 address. */
function v4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 255, low >> 8, low & 255]);
}

/**
 * IPv6 forms that carry an IPv4 address are judged by the address inside, so that no notation
 * reaches a blocked IPv4 range. ipaddr.js names the forms; where the IPv4 address sits in each
 * comes from its RFC.
 */
function classifyV6(address: ipaddr.IPv6): string | undefined {
  const direct = ipaddr.subnetMatch(address, blockedV6Subnets, '');
  if (direct) return direct;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = address.parts;
  // Herald connects over IPv4 for the mapped, compatible and translated forms, so even a public
  // address is refused in them: a public target is written as itself.
  switch (address.range()) {
    case 'ipv4Mapped':
      return classifyV4(address.toIPv4Address()) ?? 'IPv4-mapped';
    case 'rfc6145':
      return classifyV4(v4From(g6, g7)) ?? 'IPv4-translated';
    case 'rfc6052':
      return classifyV4(v4From(g6, g7));
    case '6to4': {
      const embedded = classifyV4(v4From(g1, g2));
      return embedded ? `6to4 ${embedded}` : undefined;
    }
    case 'teredo': {
      // The client's address, inverted (RFC 4380). Teredo is obsolete: no public endpoint needs it.
      const embedded = classifyV4(v4From(g6 ^ 0xffff, g7 ^ 0xffff));
      return embedded ? `Teredo ${embedded}` : 'Teredo';
    }
  }
  // IPv4-compatible (::a.b.c.d, deprecated): ipaddr.js has no name for it.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return classifyV4(v4From(g6, g7)) ?? 'IPv4-compatible';
  }
  return undefined;
}

/**
 * Why an IP address may not be a delivery target (`loopback`, `private`, ...), or undefined
 * when it is a public unicast address.
 */
export function classifyBlockedAddress(ip: string): string | undefined {
  // Node's isIP first: it takes only the canonical forms a resolver answers and the URL parser
  // writes (`0x7f.1` arrives as `127.0.0.1`). ipaddr.js alone would also read such loose forms.
  const family = isIP(ip);
  if (family === 4) return classifyV4(ipaddr.IPv4.parse(ip));
  if (family === 6) return classifyV6(ipaddr.IPv6.parse(ip));
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
