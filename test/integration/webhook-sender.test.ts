import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import {
  createSafeAgent,
  createSafeLookup,
  FORBIDDEN_TARGET_CODE,
  type ResolveAll,
} from '../../functions/adapters/http/safe-dispatcher';
import { createWebhookSender, type SendResult } from '../../functions/adapters/http/webhook-sender';
import { anyPort, defaultAllowedPorts, parseAllowedPorts } from '../../functions/domain/target-ports';

/** Real receivers on 127.0.0.1; no traffic leaves the machine. */

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** TCP connections accepted. */
  connections: number;
  /** Resolves when the client closed the connection before the server finished a response. */
  cutShort: Promise<void>;
  close(): Promise<void>;
}

type Respond = (request: IncomingMessage, response: ServerResponse) => void;

async function startReceiver(respond: Respond): Promise<Receiver> {
  let onCutShort: () => void = () => undefined;
  const cutShort = new Promise<void>((resolve) => {
    onCutShort = resolve;
  });
  const requests: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.on('close', () => {
        if (!response.writableFinished) onCutShort();
      });
      respond(request, response);
    });
  });
  const receiver = {
    url: '',
    port: 0,
    requests,
    connections: 0,
    cutShort,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', () => {
    receiver.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}

/** Fails the test instead of hanging when a promise does not settle in time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Writes to the response until the client goes away or `maxMs` passes, whichever comes first. */
function writeForever(response: ServerResponse, chunk: Buffer, maxMs: number, everyMs?: number): void {
  const deadline = Date.now() + maxMs;
  response.writeHead(200, { 'content-type': 'text/plain' });
  const more = (): void => {
    if (response.destroyed || Date.now() > deadline) {
      response.end();
      return;
    }
    if (everyMs !== undefined) {
      response.write(chunk);
      setTimeout(more, everyMs);
    } else if (response.write(chunk)) {
      setImmediate(more);
    } else {
      response.once('drain', more);
    }
  };
  response.on('close', () => response.removeAllListeners('drain'));
  more();
}

function expectResponse(result: SendResult): Extract<SendResult, { outcome: 'response' }> {
  if (result.outcome !== 'response') throw new Error(`expected a response, got ${JSON.stringify(result)}`);
  return result;
}

function expectError(result: SendResult): Extract<SendResult, { outcome: 'error' }> {
  if (result.outcome !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

/** Response body bytes undici took off the wire, per origin. */
const bytesReceived = new Map<string, number>();
function countBytes(message: unknown): void {
  const { request, chunk } = message as { request: { origin: string }; chunk: Buffer };
  bytesReceived.set(request.origin, (bytesReceived.get(request.origin) ?? 0) + chunk.length);
}
function bytesReceivedFrom(origin: string): number {
  return bytesReceived.get(origin) ?? 0;
}

const receivers: Receiver[] = [];
async function receiver(respond: Respond): Promise<Receiver> {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

let openAgent: Agent;
let guardedAgent: Agent;

beforeAll(() => {
  subscribe('undici:request:bodyChunkReceived', countBytes);
  openAgent = createSafeAgent({ allowPrivateTargets: true, allowedPorts: anyPort, connectTimeoutMs: 2000 });
  guardedAgent = createSafeAgent({
    allowPrivateTargets: false,
    allowedPorts: parseAllowedPorts(defaultAllowedPorts),
    connectTimeoutMs: 2000,
  });
});

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  unsubscribe('undici:request:bodyChunkReceived', countBytes);
  await Promise.all([openAgent.close(), guardedAgent.close()]);
});

describe('webhook sender', () => {
  it('POSTs the JSON body with its headers and returns the status, headers and body excerpt', async () => {
    const target = await receiver((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
      response.end('thanks');
    });
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectResponse(
      await send({ url: `${target.url}/hook?x=1`, body: '{"type":"t"}', headers: { 'Webhook-Id': 'msg_1' } }),
    );

    expect(result).toMatchObject({ status: 200, bodyExcerpt: 'thanks' });
    expect(result.headers['content-type']).toBe('text/plain');
    expect(result.headers['set-cookie']).toBe('a=1, b=2');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]).toMatchObject({
      method: 'POST',
      url: '/hook?x=1',
      body: '{"type":"t"}',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Herald-Webhooks/1.0',
        'webhook-id': 'msg_1',
      },
    });
  });

  it('returns a 500 as a response', async () => {
    const target = await receiver((_, response) => {
      response.writeHead(500);
      response.end('boom');
    });
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));

    expect(result).toMatchObject({ status: 500, bodyExcerpt: 'boom' });
  });

  it('returns a 302 as a response and does not follow it', async () => {
    const elsewhere = await receiver((_, response) => response.end('followed'));
    const target = await receiver((_, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/moved` });
      response.end();
    });
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));

    expect(result.status).toBe(302);
    expect(result.headers.location).toBe(`${elsewhere.url}/moved`);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('keeps at most maxResponseBytes of a 10 MB body, stops reading, and the agent stays usable', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const target = await receiver((request, response) => {
      if (request.url === '/small') {
        response.end('ok');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(big.length) });
      response.end(big);
    });
    const { send } = createWebhookSender({ agent: openAgent, maxResponseBytes: 1000, totalTimeoutMs: 10000 });

    const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));

    expect(result.status).toBe(200);
    expect(result.bodyExcerpt).toBe('a'.repeat(1000));
    // The kernel's loopback buffers swallow all 10 MB, so the receiver cannot tell whether it was
    // read; undici's diagnostics channel can.
    expect(bytesReceivedFrom(target.url)).toBeLessThan(1024 * 1024);
    // The half-read connection is dropped, not pooled: the next send works.
    const next = expectResponse(await send({ url: `${target.url}/small`, body: '{}', headers: {} }));
    expect(next.bodyExcerpt).toBe('ok');
  });

  it('cuts a multi-byte character at the limit instead of mangling it', async () => {
    const target = await receiver((_, response) => response.end('ab€cd'));
    const { send } = createWebhookSender({ agent: openAgent, maxResponseBytes: 3 });

    const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));

    expect(result.bodyExcerpt).toBe('ab');
  });

  it('keeps a multi-byte character that arrives split across two chunks', async () => {
    const euro = Buffer.from('€');
    const target = await receiver((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]));
      setTimeout(() => response.end(Buffer.concat([euro.subarray(1), Buffer.from('cd')])), 50);
    });
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));

    expect(result.bodyExcerpt).toBe('ab€cd');
  });

  it('decodes an answer that is not valid UTF-8 as before, with replacement characters', async () => {
    const target = await receiver((_, response) => response.end(Buffer.from([0x61, 0xff, 0x62, 0xc3])));
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));

    // The invalid byte is replaced; the incomplete character at the end is held back, not replaced.
    expect(result.bodyExcerpt).toBe('a\ufffdb');
  });

  it('returns from an endless chunked body within the total timeout, and closes the connection', async () => {
    const target = await receiver((_, response) =>
      writeForever(response, Buffer.alloc(16 * 1024, 'z'), 10000),
    );
    const { send } = createWebhookSender({ agent: openAgent, totalTimeoutMs: 2000 });

    const result = await send({ url: target.url, body: '{}', headers: {} });

    const response = expectResponse(result);
    expect(response.bodyExcerpt).toBe('z'.repeat(4096));
    expect(response.durationMs).toBeLessThan(2000);
    expect(bytesReceivedFrom(target.url)).toBeLessThan(1024 * 1024);
    await within(target.cutShort, 5000, 'the receiver seeing the response cut short');
  });

  it('stops a slow-drip body at the total timeout and keeps what arrived', async () => {
    const target = await receiver((_, response) => writeForever(response, Buffer.from('d'), 10000, 20));
    const { send } = createWebhookSender({ agent: openAgent, totalTimeoutMs: 300 });

    const result = await send({ url: target.url, body: '{}', headers: {} });

    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(300 + 1000);
    const response = expectResponse(result);
    expect(response.status).toBe(200);
    expect(response.bodyExcerpt).toMatch(/^d+$/);
    expect(response.bodyExcerpt.length).toBeLessThan(4096);
    await within(target.cutShort, 5000, 'the receiver seeing the response cut short');
  });

  it("returns 'timeout' when the receiver never answers", async () => {
    const target = await receiver(() => undefined);
    const { send } = createWebhookSender({ agent: openAgent, totalTimeoutMs: 300 });

    const result = expectError(await send({ url: target.url, body: '{}', headers: {} }));

    expect(result.reason).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(300 + 1000);
  });

  it("returns 'connection_refused' for a closed port", async () => {
    const closed = await startReceiver(() => undefined);
    await closed.close();
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectError(await send({ url: closed.url, body: '{}', headers: {} }));

    expect(result.reason).toBe('connection_refused');
    expect(result.detail).toContain('ECONNREFUSED');
  });

  it.each([
    ['open', () => openAgent],
    ['guarded', () => guardedAgent],
  ])("returns 'dns' for a name that does not resolve (%s agent)", async (_, agent) => {
    const { send } = createWebhookSender({ agent: agent(), totalTimeoutMs: 5000 });

    const result = expectError(
      await send({ url: 'https://nonexistent.invalid/hook', body: '{}', headers: {} }),
    );

    expect(result.reason).toBe('dns');
  });

  it("maps an invalid URL to 'network' instead of throwing", async () => {
    const { send } = createWebhookSender({ agent: openAgent });

    const result = expectError(await send({ url: 'not a url', body: '{}', headers: {} }));

    expect(result.reason).toBe('network');
  });

  it('reuses keep-alive connections across sequential sends', async () => {
    const target = await receiver((_, response) => response.end('ok'));
    const { send } = createWebhookSender({ agent: openAgent });

    for (let i = 0; i < 20; i += 1) {
      expectResponse(await send({ url: target.url, body: `{"n":${i}}`, headers: {} }));
    }

    expect(target.requests).toHaveLength(20);
    expect(target.connections).toBeLessThan(20);
  });

  it('reads a body a little over the cap to its end, so the connection is reused', async () => {
    // In two writes apart, so the excerpt is full before the body has all arrived.
    const target = await receiver((_, response) => {
      response.write('x'.repeat(8 * 1024));
      setTimeout(() => response.end('x'.repeat(8 * 1024)), 20);
    });
    const { send } = createWebhookSender({ agent: openAgent });

    for (let i = 0; i < 10; i += 1) {
      const result = expectResponse(await send({ url: target.url, body: '{}', headers: {} }));
      expect(result.bodyExcerpt).toHaveLength(4096);
    }

    expect(target.connections).toBeLessThan(10);
  });
});

describe('safe agent', () => {
  it.each([
    ['an IPv4 loopback literal', (port: number) => `http://127.0.0.1:${port}/hook?secret=s3cr3t`],
    ['localhost', (port: number) => `http://localhost:${port}/hook?secret=s3cr3t`],
    ['an IPv6 loopback literal', (port: number) => `http://[::1]:${port}/hook`],
    ['an IPv4-mapped IPv6 literal', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
  ])("refuses %s with 'forbidden_target' and sends nothing", async (_, url) => {
    const target = await receiver((_, response) => response.end('reached'));
    const { send } = createWebhookSender({ agent: guardedAgent });

    const result = expectError(await send({ url: url(target.port), body: '{}', headers: {} }));

    expect(result.reason).toBe('forbidden_target');
    expect(result.detail).toBe('loopback');
    expect(result.detail).not.toContain('s3cr3t');
    expect(target.requests).toHaveLength(0);
    expect(target.connections).toBe(0);
  });

  it('fails the connection with a HERALD_FORBIDDEN_TARGET error naming the reason', async () => {
    const target = await receiver((_, response) => response.end('reached'));

    const error: unknown = await guardedAgent
      .request({ origin: target.url, path: '/?token=abc', method: 'GET' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).toMatchObject({ code: FORBIDDEN_TARGET_CODE, reason: 'loopback' });
    expect((error as Error).message).toContain('loopback');
    expect((error as Error).message).not.toContain('abc');
    expect(target.connections).toBe(0);
  });

  describe('ports', () => {
    it('refuses a stored URL on a forbidden port before connecting: no connection reaches the listener', async () => {
      // A webhook saved before the port rule existed reaches the sender unchecked. The rule here
      // forbids the listener's port (the OS gives an ephemeral one; binding a port below 1024
      // needs privileges tests should not count on); loopback itself is allowed, as in local mode.
      const target = await receiver((_, response) => response.end('reached'));
      const agent = createSafeAgent({
        allowPrivateTargets: true,
        allowedPorts: parseAllowedPorts('443'),
        connectTimeoutMs: 2000,
      });
      try {
        const { send } = createWebhookSender({ agent });
        for (const url of [
          `http://127.0.0.1:${target.port}/hook?secret=s3cr3t`,
          `http://localhost:${target.port}/hook`,
          `http://[::ffff:127.0.0.1]:${target.port}/hook`,
        ]) {
          const result = expectError(await send({ url, body: '{}', headers: {} }));
          expect(result.reason).toBe('forbidden_target');
          expect(result.detail).toBe(`port ${target.port} is outside the allowed ports (443)`);
        }
        // The refusal happens before any connect call, so nothing is in flight: a connection the
        // open agent makes now is the listener's first, which also proves it was counting.
        expectResponse(
          await createWebhookSender({ agent: openAgent }).send({ url: target.url, body: '{}', headers: {} }),
        );
        expect(target.connections).toBe(1);
        expect(target.requests).toHaveLength(1);
      } finally {
        await agent.close();
      }
    });

    it("holds http's implicit port 80 and https's implicit 443 to the rule", async () => {
      const agent = createSafeAgent({
        allowPrivateTargets: true,
        allowedPorts: parseAllowedPorts(defaultAllowedPorts),
        connectTimeoutMs: 2000,
      });
      try {
        const { send } = createWebhookSender({ agent });
        const http = expectError(await send({ url: 'http://127.0.0.1/hook', body: '{}', headers: {} }));
        expect(http).toMatchObject({
          reason: 'forbidden_target',
          detail: expect.stringMatching(/^port 80 /),
        });
        // 443 is allowed, so this one gets as far as connecting (nothing listens there).
        const https = expectError(await send({ url: 'https://127.0.0.1/hook', body: '{}', headers: {} }));
        expect(https.reason).not.toBe('forbidden_target');
      } finally {
        await agent.close();
      }
    });

    it('checks the port before the address, and refuses a public host on port 22', async () => {
      const { send } = createWebhookSender({ agent: guardedAgent });
      // A documentation address: refused either way, so a broken rule sends nothing off the machine.
      const result = expectError(await send({ url: 'https://192.0.2.1:22/', body: '{}', headers: {} }));
      expect(result).toMatchObject({
        reason: 'forbidden_target',
        detail: expect.stringMatching(/^port 22 /),
      });
    });
  });

  describe('lookup', () => {
    function resolvingTo(addresses: LookupAddress[]): ResolveAll {
      return (_, __, callback) => process.nextTick(() => callback(null, addresses));
    }
    function lookup(resolveAll: ResolveAll, all: boolean) {
      return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>(
        (resolve) =>
          createSafeLookup(resolveAll)('rebind.example', { all }, (error, address, family) =>
            resolve({ error, address, family }),
          ),
      );
    }

    it('refuses a name when any of its addresses is blocked', async () => {
      const resolveAll = resolvingTo([
        { address: '93.184.216.34', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ]);

      const { error } = await lookup(resolveAll, true);

      expect(error).toMatchObject({ code: FORBIDDEN_TARGET_CODE, reason: 'link-local or cloud metadata' });
    });

    it('refuses a name that resolves to a private IPv6 address', async () => {
      const { error } = await lookup(resolvingTo([{ address: 'fd00::1', family: 6 }]), false);

      expect(error).toMatchObject({ code: FORBIDDEN_TARGET_CODE, reason: 'unique-local' });
    });

    it('hands public addresses on in the form Node asked for', async () => {
      const addresses = [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
      ];

      expect(await lookup(resolvingTo(addresses), true)).toEqual({ error: null, address: addresses });
      expect(await lookup(resolvingTo(addresses), false)).toEqual({
        error: null,
        address: '93.184.216.34',
        family: 4,
      });
    });

    it('passes resolver errors through', async () => {
      const failing: ResolveAll = (_, __, callback) =>
        process.nextTick(() =>
          callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), []),
        );

      const { error } = await lookup(failing, true);

      expect(error?.code).toBe('ENOTFOUND');
    });
  });
});
