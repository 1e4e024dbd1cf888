import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
// undici by its parts: its index loads fetch, WebSocket, the cache and mock agents and two
// WebAssembly parsers' worth of code that Herald never runs (about 450 KB of the delivery bundle).
import request from 'undici/lib/api/api-request';
import buildConnector from 'undici/lib/core/connect';
import Agent from 'undici/lib/dispatcher/agent';
import Dispatcher from 'undici/lib/dispatcher/dispatcher';
import { classifyBlockedAddress } from '../../domain/address';
import { type AllowedPorts, allowsPort, portOf } from '../../domain/target-ports';

/**
 * The dispatcher every outbound request of Herald goes through. Webhook URLs are checked when they
 * are saved, but a name can resolve to anything at send time (DNS rebinding), so the check that
 * counts is here: on the addresses the socket is about to connect to.
 */

// What undici's index does for every dispatcher (with all of its API): Herald sends with
// `dispatcher.request` only.
Object.assign(Dispatcher.prototype, { request });

/** The `code` of the error a refused connection fails with. */
export const FORBIDDEN_TARGET_CODE = 'HERALD_FORBIDDEN_TARGET';

/** A connection refused because the target resolved to an address Herald must never reach. */
export class ForbiddenTargetError extends Error {
  readonly code = FORBIDDEN_TARGET_CODE;

  /**
   * @param reason what the address is, e.g. `loopback` or `private`, from {@link classifyBlockedAddress},
   *   or which port was refused; recorded as the attempt's detail.
   */
  constructor(
    readonly reason: string,
    // Names the kind of address only: never the URL, whose query may carry a customer's secret.
    message = `target resolves to a forbidden address (${reason})`,
  ) {
    super(message);
    this.name = 'ForbiddenTargetError';
  }
}

/** The shape of `dns.lookup` with `all: true`, so tests can feed the guard any answer. */
export type ResolveAll = (
  hostname: string,
  options: { all: true; family?: number | 'IPv4' | 'IPv6'; hints?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * A `lookup` for `net.connect` / `tls.connect` that resolves every address of the name and fails
 * when any of them is blocked. Refusing on any (not only the first) keeps a name that answers with
 * a public and a private address from reaching the private one through Happy Eyeballs or a retry.
 */
export function createSafeLookup(resolveAll: ResolveAll = systemResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, { all: true, family: options.family, hints: options.hints }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      const [first] = addresses;
      if (!first) {
        callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        return;
      }
      for (const { address } of addresses) {
        const reason = classifyBlockedAddress(address);
        if (reason) {
          callback(new ForbiddenTargetError(reason), []);
          return;
        }
      }
      // Node asks for `all` when it races address families (autoSelectFamily, on by default).
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

export interface SafeAgentOptions {
  /** Allow loopback, private and other blocked addresses: local mode and tests only. */
  readonly allowPrivateTargets: boolean;
  /** Ports a connection may use, whether or not private targets are allowed. */
  readonly allowedPorts: AllowedPorts;
  /** Time allowed for the TCP (and TLS) handshake. */
  readonly connectTimeoutMs: number;
  /**
   * Most sockets per origin.
   * @default unlimited
   */
  readonly connections?: number;
  /** Replaces the system resolver (tests). */
  readonly resolveAll?: ResolveAll;
}

/**
 * Makes the keep-alive agent for outbound requests: make one per container and reuse it across
 * deliveries. A connection to a port outside `allowedPorts` is refused with a
 * {@link ForbiddenTargetError}, and so, unless `allowPrivateTargets`, is every connection to a host
 * that is, or resolves to, a blocked address.
 */
export function createSafeAgent(options: SafeAgentOptions): Agent {
  const { allowPrivateTargets, allowedPorts, connectTimeoutMs, connections, resolveAll } = options;
  const base = buildConnector({
    timeout: connectTimeoutMs,
    ...(allowPrivateTargets ? {} : { lookup: createSafeLookup(resolveAll) }),
  });
  const connect: buildConnector.connector = (target, callback) => {
    // Before any lookup or socket: a URL saved before the rule existed is refused here. undici
    // hands an empty port for the scheme's own.
    const port = portOf(target.protocol, target.port);
    if (!allowsPort(allowedPorts, port)) {
      const error = new ForbiddenTargetError(
        `port ${port} is outside the allowed ports (${allowedPorts.text})`,
        `target port ${port} is outside the allowed ports (${allowedPorts.text})`,
      );
      process.nextTick(() => callback(error, null));
      return;
    }
    // Node never calls `lookup` for an IP literal, so literals are checked here. undici hands the
    // connector IPv6 hosts without their brackets.
    const reason =
      !allowPrivateTargets && isIP(target.hostname) ? classifyBlockedAddress(target.hostname) : undefined;
    if (reason) {
      const error = new ForbiddenTargetError(reason);
      process.nextTick(() => callback(error, null));
      return;
    }
    base(target, callback);
  };
  return new Agent({ connect, ...(connections === undefined ? {} : { connections }) });
}
