import { createServer, type Server } from 'node:http';
import { z } from 'zod/v4/mini';
import { inboxRoutes } from '../../local/inbox';
import { inboxDeliverySchema, inboxSchema } from '../../local/inbox-model';
import { InboxStore } from '../../local/inbox-store';
import type { InboxWebhook } from '../../local/inbox-verify';
import { until } from '../e2e/support/wait';

/**
 * The inbox's HTTP routes over real loopback HTTP, with the webhook lookup given: what a
 * delivery, a script and the page's live feed get.
 */

let server: Server;
let origin: string;
const lookups: Array<{ port: number; path: string }> = [];
let webhooks: InboxWebhook[] = [];
let store: InboxStore;

const keptSchema = z.object({ inbox: inboxSchema, deliveries: z.array(inboxDeliverySchema) });
const listSchema = z.object({ inboxes: z.array(inboxSchema) });
const errorSchema = z.object({ error: z.string() });

beforeAll(async () => {
  store = new InboxStore((name) => `${origin}/inbox/${name}`, {
    maxInboxes: 3,
    deliveriesPerInbox: 200,
    maxBodyBytes: 1024,
  });
  const route = inboxRoutes({
    store,
    findWebhooks: async (port, path) => {
      lookups.push({ port, path });
      return webhooks;
    },
    maxRequestBytes: 2048,
    keepAliveMs: 50,
  });
  server = createServer(async (req, res) => {
    if (!(await route(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')))) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the inbox routes', () => {
  it('take a delivery to any inbox name, look up the webhooks by this port and path, and answer 200', async () => {
    webhooks = [];
    const res = await fetch(`${origin}/inbox/orders?attempt=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'webhook-id': 'msg_1' },
      body: '{"type":"x"}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: expect.any(String), verification: 'no_webhook' });
    expect(lookups.at(-1)).toEqual({ port: Number(new URL(origin).port), path: '/inbox/orders' });

    const list = await fetch(`${origin}/inbox/orders`);
    const { inbox, deliveries } = keptSchema.parse(await list.json());
    expect(inbox).toMatchObject({ name: 'orders', url: `${origin}/inbox/orders`, received: 1 });
    expect(deliveries[0]).toMatchObject({ webhook_id: 'msg_1', event_type: 'x' });
  });

  it('make an inbox with PUT (201, then 200), list every inbox, and refuse one past the limit (409)', async () => {
    expect((await fetch(`${origin}/inbox/billing`, { method: 'PUT' })).status).toBe(201);
    expect((await fetch(`${origin}/inbox/billing`, { method: 'PUT' })).status).toBe(200);
    const listed = listSchema.parse(await (await fetch(`${origin}/inbox/_/inboxes`)).json());
    expect(listed.inboxes.map((i) => i.name)).toEqual(['billing', 'orders']);
    expect((await fetch(`${origin}/inbox/third`, { method: 'PUT' })).status).toBe(201);
    const refused = await fetch(`${origin}/inbox/fourth`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(409);
    expect(errorSchema.parse(await refused.json()).error).toContain('3 inboxes');
  });

  it.each([
    ['an unknown inbox', 'GET', '/inbox/nowhere', undefined, 404],
    ['a name that is no name', 'POST', '/inbox/..%2Fx', '{}', 404],
    ['a name past 64 characters', 'PUT', `/inbox/${'a'.repeat(65)}`, undefined, 404],
    ['a reserved route', 'GET', '/inbox/_/other', undefined, 404],
    ['a method inboxes do not have', 'DELETE', '/inbox/orders', undefined, 405],
    ['a body past the limit', 'POST', '/inbox/orders', 'x'.repeat(4096), 413],
  ])('refuse %s', async (_, method, path, body, status) => {
    const res = await fetch(`${origin}${path}`, { method, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('leave what is not theirs to the next route', async () => {
    expect((await fetch(`${origin}/inboxes`)).status).toBe(418);
    expect((await fetch(`${origin}/api/v2/demo/webhooks`)).status).toBe(418);
  });

  it('feed the page a snapshot, then each delivery as it comes, with keep-alives between', async () => {
    const controller = new AbortController();
    const res = await fetch(`${origin}/inbox/_/feed`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    let text = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += Buffer.from(value ?? []).toString();
      }
    })();
    await until(() => (text.includes('event: snapshot') ? true : undefined), { ms: 5000 });
    expect(text.startsWith('retry: 1000\n\n')).toBe(true);
    await fetch(`${origin}/inbox/orders`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_live' },
      body: '{}',
    });
    const line = await until(() => text.match(/event: delivery\ndata: (.+)\n\n/)?.[1], { ms: 5000 });
    expect(inboxDeliverySchema.parse(JSON.parse(line)).webhook_id).toBe('msg_live');
    await until(() => (text.includes(': keep-alive') ? true : undefined), { ms: 5000 });
    controller.abort();
  });
});
