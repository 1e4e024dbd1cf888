import { z } from 'zod';

/**
 * The ports Herald may connect to. A webhook URL names any host and port its owner likes, and
 * Herald reports what answered; limited to 443 and the unprivileged ports, that cannot be turned
 * into a scan of a public host's well-known services (SSH, SMTP, DNS, mail). Services above 1023
 * (PostgreSQL 5432, Redis 6379, ...) stay reachable by default: narrow the setting to shut them
 * out. The rule is a setting, `443,1024-65535` deployed, checked when a webhook is saved and
 * again before connecting.
 */

/** An allowed-ports rule, parsed from its text. */
export interface AllowedPorts {
  /** Inclusive ranges; a single port is a range of one. */
  readonly ranges: ReadonlyArray<readonly [first: number, last: number]>;
  /** The rule as a setting would write it, for messages. */
  readonly text: string;
}

/** The deployed default: https's own port and the unprivileged ones. */
export const defaultAllowedPorts = '443,1024-65535';

/** Every port: local mode's default, where targets are loopback servers on whatever port they got. */
export const anyPort: AllowedPorts = { ranges: [[1, 65_535]], text: '1-65535' };

const item = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/** Reads a rule such as `443,1024-65535`; each problem becomes an issue naming the bad item. */
export const allowedPortsSchema = z.string().transform((raw, ctx): AllowedPorts => {
  const fail = (message: string) => {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    return z.NEVER;
  };
  if (raw.trim() === '') return fail('at least one port or range, such as 443,1024-65535');
  const ranges: Array<readonly [number, number]> = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const match = item.exec(part);
    if (!match) return fail(`"${part}" is not a port or a range (such as 443 or 1024-65535)`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first < 1 || last > 65_535) return fail(`"${part}": ports are 1 to 65535`);
    if (last < first) return fail(`"${part}": the range ends before it starts`);
    ranges.push([first, last]);
  }
  return {
    ranges,
    text: ranges.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(','),
  };
});

/**
 * Parses a rule such as `443,1024-65535`.
 * @throws Error saying which item is wrong and why.
 */
export function parseAllowedPorts(text: string): AllowedPorts {
  const parsed = allowedPortsSchema.safeParse(text);
  if (!parsed.success) throw new Error(`Invalid allowed ports: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Whether the rule allows `port`. */
export function allowsPort(allowed: AllowedPorts, port: number): boolean {
  return allowed.ranges.some(([first, last]) => port >= first && port <= last);
}

/**
 * The port a connection to a URL uses: the one written, or the scheme's own (443 for https, 80
 * for http). Takes `URL.protocol` and `URL.port`, which is '' when the port is the scheme's.
 */
export function portOf(protocol: string, port: string): number {
  if (port !== '') return Number(port);
  return protocol === 'http:' ? 80 : 443;
}

/** How a refusal names the rule: `port 443 or 1024-65535`. */
export function describeAllowedPorts(allowed: AllowedPorts): string {
  const parts = allowed.text.split(',');
  const words =
    parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}` : allowed.text;
  return `port ${words}`;
}
