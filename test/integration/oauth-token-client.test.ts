import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from 'undici';
import {
  createOAuthTokenClient,
  type OAuthTokenClient,
  type OAuthTokenConfig,
} from '../../functions/adapters/http/oauth-token-client';
import { createSafeAgent } from '../../functions/adapters/http/safe-dispatcher';
import { createWebhookSender } from '../../functions/adapters/http/webhook-sender';
import { anyPort, defaultAllowedPorts, parseAllowedPorts } from '../../functions/domain/target-ports';

/** A real token server on 127.0.0.1; no traffic leaves the machine. */

interface TokenRequest {
  contentType: string | undefined;
  accept: string | undefined;
  body: string;
}

type Respond = (request: TokenRequest, response: ServerResponse) => void;

let server: Server;
let serverUrl: string;
let respond: Respond;
let received: TokenRequest[];
let openAgent: Agent;
let guardedAgent: Agent;

const SECRET = 'client-secret-5d8f';

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const tokenRequest = {
        contentType: request.headers['content-type'],
        accept: request.headers.accept,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(tokenRequest);
      respond(tokenRequest, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  openAgent = createSafeAgent({ allowPrivateTargets: true, allowedPorts: anyPort, connectTimeoutMs: 2000 });
  guardedAgent = createSafeAgent({
    allowPrivateTargets: false,
    allowedPorts: parseAllowedPorts(defaultAllowedPorts),
    connectTimeoutMs: 2000,
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await Promise.all([
    new Promise<void>((resolve) => server.close(() => resolve())),
    openAgent.close(),
    guardedAgent.close(),
  ]);
});

let clock: number;
let tokenCount: number;

beforeEach(() => {
  received = [];
  clock = Date.parse('2026-11-24T10:00:00Z');
  tokenCount = 0;
  respond = answerJson(200, () => ({ access_token: `token-${++tokenCount}`, expires_in: 3600 }));
});

function answerJson(status: number, body: () => unknown, delayMs = 0): Respond {
  return (_, response) => {
    setTimeout(() => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body()));
    }, delayMs);
  };
}

function tokenClient(agent: Agent = openAgent, totalTimeoutMs = 5000): OAuthTokenClient {
  const { send } = createWebhookSender({ agent, totalTimeoutMs, maxResponseBytes: 64 * 1024 });
  return createOAuthTokenClient({ send, now: () => clock, refreshBeforeSeconds: 30 });
}

function config(overrides: Partial<OAuthTokenConfig> = {}): OAuthTokenConfig {
  return {
    server: serverUrl,
    payload: { grant_type: 'client_credentials', client_id: 'herald', client_secret: SECRET },
    payloadType: 'application/json',
    version: 1,
    ...overrides,
  };
}

describe('OAuth token client', () => {
  it('posts a JSON payload as JSON and returns the access token', async () => {
    const client = tokenClient();

    const result = await client.getToken('wh_1', config());

    expect(result).toEqual({ ok: true, token: 'token-1' });
    expect(received).toEqual([
      {
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: 'herald',
          client_secret: SECRET,
        }),
      },
    ]);
  });

  it('posts a form payload urlencoded, with values stringified', async () => {
    const client = tokenClient();

    const result = await client.getToken(
      'wh_1',
      config({
        payloadType: 'application/x-www-form-urlencoded',
        payload: { grant_type: 'client_credentials', scope: 'a b&c', audience: 42, verbose: true },
      }),
    );

    expect(result).toEqual({ ok: true, token: 'token-1' });
    expect(received).toHaveLength(1);
    expect(received[0]?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(received[0]?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'a b&c',
      audience: '42',
      verbose: 'true',
    });
  });

  it('reuses the cached token across calls', async () => {
    const client = tokenClient();

    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await client.getToken('wh_1', config()));

    expect(results).toEqual(Array(5).fill({ ok: true, token: 'token-1' }));
    expect(received).toHaveLength(1);
  });

  it('refreshes the token refreshBeforeSeconds before it expires', async () => {
    const client = tokenClient();
    await client.getToken('wh_1', config());

    clock += (3600 - 30) * 1000 - 1;
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-1' });
    clock += 1;
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-2' });
    expect(received).toHaveLength(2);
  });

  it('keeps a token without expires_in for 300 seconds less the margin', async () => {
    respond = answerJson(200, () => ({ access_token: `token-${++tokenCount}` }));
    const client = tokenClient();
    await client.getToken('wh_1', config());

    clock += (300 - 30) * 1000 - 1;
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-1' });
    clock += 1;
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-2' });
  });

  it('fetches a new token after invalidate()', async () => {
    const client = tokenClient();
    await client.getToken('wh_1', config());

    client.invalidate('wh_1');

    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-2' });
    expect(received).toHaveLength(2);
  });

  it('fetches a new token when the webhook version changes', async () => {
    const client = tokenClient();
    await client.getToken('wh_1', config({ version: 1 }));

    expect(await client.getToken('wh_1', config({ version: 2 }))).toEqual({ ok: true, token: 'token-2' });
    expect(await client.getToken('wh_1', config({ version: 2 }))).toEqual({ ok: true, token: 'token-2' });
    expect(received).toHaveLength(2);
  });

  it('keeps tokens apart per webhook', async () => {
    const client = tokenClient();

    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-1' });
    expect(await client.getToken('wh_2', config())).toEqual({ ok: true, token: 'token-2' });
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-1' });
  });

  it('shares one request between concurrent callers', async () => {
    respond = answerJson(200, () => ({ access_token: `token-${++tokenCount}`, expires_in: 3600 }), 50);
    const client = tokenClient();

    const results = await Promise.all(Array.from({ length: 10 }, () => client.getToken('wh_1', config())));

    expect(results).toEqual(Array(10).fill({ ok: true, token: 'token-1' }));
    expect(received).toHaveLength(1);
  });

  it('does not let a request overtaken by invalidate() fill the cache', async () => {
    respond = answerJson(200, () => ({ access_token: `token-${++tokenCount}`, expires_in: 3600 }), 50);
    const client = tokenClient();

    const first = client.getToken('wh_1', config());
    client.invalidate('wh_1');
    const second = client.getToken('wh_1', config());

    expect(await first).toEqual({ ok: true, token: 'token-1' });
    expect(await second).toEqual({ ok: true, token: 'token-2' });
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-2' });
    expect(received).toHaveLength(2);
  });

  it('reports a 401 without the payload, and does not cache the failure', async () => {
    respond = answerJson(401, () => ({ error: 'invalid_client', echoed: SECRET }));
    const client = tokenClient();

    const result = await client.getToken('wh_1', config());

    expect(result).toEqual({ ok: false, reason: 'token server answered 401' });
    expect(JSON.stringify(result)).not.toContain(SECRET);
    respond = answerJson(200, () => ({ access_token: 'token-after-fix' }));
    expect(await client.getToken('wh_1', config())).toEqual({ ok: true, token: 'token-after-fix' });
  });

  it('reports a body that is not JSON', async () => {
    respond = (_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<html>${SECRET}</html>`);
    };

    const result = await tokenClient().getToken('wh_1', config());

    expect(result).toEqual({ ok: false, reason: 'token server response was not JSON' });
  });

  it.each([
    ['no access_token', { token_type: 'bearer', expires_in: 3600 }],
    ['an access_token that is not a string', { access_token: 12345 }],
  ])('reports a response with %s', async (_, body) => {
    respond = answerJson(200, () => body);

    const result = await tokenClient().getToken('wh_1', config());

    expect(result).toEqual({ ok: false, reason: 'token server response had no access_token' });
  });

  it('reports a token server that never answers as timed out', async () => {
    respond = () => undefined;

    const result = await tokenClient(openAgent, 300).getToken('wh_1', config());

    expect(result).toEqual({ ok: false, reason: 'token server timed out' });
  });

  it('refuses a token server on a forbidden address and sends nothing', async () => {
    const result = await tokenClient(guardedAgent).getToken('wh_1', config());

    expect(result).toEqual({ ok: false, reason: 'forbidden_target (loopback)' });
    expect(received).toHaveLength(0);
  });
});
