import { deliveryIdFor } from '../../functions/domain/delivery-id';
import { eventDetail, uniqueName, webhookBody } from '../helpers';
import { type Api, attributesOf, resourceOf, resourcesOf } from './support/api';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { sleep, until } from './support/wait';

/**
 * Issue 8's API rules through local mode, as an attacker with a tenant's key and a customer try
 * them: the OAuth payload stays write-only, a rotation with no grace ends every older secret,
 * the delivery log's time filters match what it shows, and the per-tenant quotas hold.
 * Every endpoint, the OAuth servers included, is a path of one loopback server.
 */
/** Small, so the quota tests reach them; every other test uses a tenant of its own and stays under. */
const maxWebhooksPerTenant = 3;
const testEventsPerMinute = 3;

let tokens = 0;
const receiver = useReceiver({
  respond: (hit, res) => {
    if (hit.path.endsWith('/token')) {
      // Each token names the server that minted it, so a test can see where it travels.
      tokens += 1;
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ access_token: `${hit.path}#${tokens}`, expires_in: 3600 }));
      return;
    }
    res.writeHead(hit.path.startsWith('/fail') ? 500 : 204).end();
  },
});
const local = useLocalHerald('hardening', {
  retrySchedule: '1s,1s',
  deliveryTimeoutMs: 2000,
  maxWebhooksPerTenant,
  testEventsPerMinute,
});

type Json = Record<string, unknown>;

const base = () => receiver().url;
const hitsUnder = (prefix: string) => receiver().hits.filter((h) => h.path.startsWith(prefix));
const createWebhook = (api: Api, attributes: Json) => local.createWebhook(attributes, api);

/** Sends a test event and waits until the log says it succeeded: every request it made is made. */
async function testEventDelivered(api: Api, id: string): Promise<string> {
  const deliveryId = await local.sendTest(id, 'use_case_name_updated', api);
  await until(
    async () => {
      const logged = await api('GET', `/webhooks/${id}/deliveries/${deliveryId}`);
      return logged.status === 200 && resourceOf(logged).attributes.status === 'succeeded' ? true : undefined;
    },
    { everyMs: 100 },
  );
  return deliveryId;
}

describe('the OAuth payload stays write-only', () => {
  const payload = { client_id: 'herald', client_secret: 'the-customers-secret' };
  const oAuth = (prefix: string) => ({
    url: `${base()}${prefix}/in`,
    authentication_method: 'o_auth',
    authentication_payload: payload,
    authentication_payload_type: 'application/json',
    authentication_server: `${base()}${prefix}/token`,
  });

  it('refuses a PATCH that would send the payload or its token to a new server, and nothing reaches it', async () => {
    const { api } = await local.newTenant();
    const { id } = await createWebhook(api, oAuth('/wo-a'));

    for (const attributes of [
      { authentication_server: `${base()}/evil-a/token` },
      { url: `${base()}/evil-a/in` },
      { url: `${base()}/evil-a/in`, authentication_server: `${base()}/evil-a/token` },
    ]) {
      const refused = await api('PATCH', `/webhooks/${id}`, { data: { type: 'webhook', id, attributes } });
      expect({ attributes, status: refused.status }).toEqual({ attributes, status: 422 });
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          status: '422',
          code: 'authentication_payload_required',
          source: { pointer: '/data/attributes/authentication_payload' },
        }),
      ]);
    }

    // The platform's client PATCHes back every attribute it read: the same url and server are no change.
    const read = resourceOf(await api('GET', `/webhooks/${id}`)).attributes;
    const full = {
      description: 'Renamed by a full PATCH',
      url: read.url,
      event_types: read.event_types,
      event_type_prefix: read.event_type_prefix,
      event_type_suffix: read.event_type_suffix,
      environment: read.environment,
      bucket: read.bucket,
      authentication_method: read.authentication_method,
      authentication_payload_type: read.authentication_payload_type,
      authentication_server: read.authentication_server,
    };
    const repeated = await api('PATCH', `/webhooks/${id}`, {
      data: { type: 'webhook', id, attributes: full },
    });
    expect(repeated.status).toBe(200);
    expect(resourceOf(repeated).attributes).toMatchObject({
      url: `${base()}/wo-a/in`,
      authentication_server: `${base()}/wo-a/token`,
      has_authentication_payload: true,
    });

    // A test event goes where it went before: had a PATCH above been applied, it would have gone
    // to /evil-a. Once it is logged as succeeded every request it made has been made.
    await testEventDelivered(api, id);
    expect(hitsUnder('/evil-a')).toEqual([]);
    const tokenRequest = hitsUnder('/wo-a/token');
    expect(tokenRequest.map((h) => JSON.parse(h.body))).toEqual([payload]);
    const delivered = hitsUnder('/wo-a/in');
    expect(delivered.map((h) => h.headers.authorization)).toEqual([
      expect.stringMatching(/^Bearer \/wo-a\/token#/),
    ]);
  }, 40_000);

  it('accepts a new url and server with a new payload, and uses only the new ones', async () => {
    const { api } = await local.newTenant();
    const { id } = await createWebhook(api, oAuth('/wo-b'));
    const fresh = { client_id: 'herald', client_secret: 'a-new-secret' };
    const moved = await api('PATCH', `/webhooks/${id}`, {
      data: {
        attributes: {
          url: `${base()}/wo-b2/in`,
          authentication_server: `${base()}/wo-b2/token`,
          authentication_payload: fresh,
        },
      },
    });
    expect(moved.status).toBe(200);

    // Never delivered before the PATCH, so the delivery function cannot hold an older copy.
    await testEventDelivered(api, id);
    expect(hitsUnder('/wo-b/')).toEqual([]);
    expect(hitsUnder('/wo-b2/token').map((h) => JSON.parse(h.body))).toEqual([fresh]);
    expect(hitsUnder('/wo-b2/in').map((h) => h.headers.authorization)).toEqual([
      expect.stringMatching(/^Bearer \/wo-b2\/token#/),
    ]);
  }, 40_000);

  it('deletes the payload on a switch to none: nothing is posted, and o_auth needs a payload again', async () => {
    const { api } = await local.newTenant();
    const { id } = await createWebhook(api, oAuth('/wo-c'));
    const none = await api('PATCH', `/webhooks/${id}`, {
      data: { attributes: { authentication_method: 'none' } },
    });
    expect(none.status).toBe(200);
    expect(resourceOf(none).attributes).toMatchObject({
      authentication_method: 'none',
      has_authentication_payload: false,
    });

    const back = await api('PATCH', `/webhooks/${id}`, {
      data: { attributes: { authentication_method: 'o_auth' } },
    });
    expect(back.status).toBe(422);
    expect(back.body.errors).toContainEqual(
      expect.objectContaining({ source: { pointer: '/data/attributes/authentication_payload' } }),
    );

    await testEventDelivered(api, id);
    expect(hitsUnder('/wo-c/token')).toEqual([]);
    expect(hitsUnder('/wo-c/in').map((h) => h.headers.authorization)).toEqual([undefined]);
  }, 40_000);
});

describe('secret rotation with no grace period', () => {
  it('ends every older secret at once: one signature, by the newest secret only', async () => {
    const { api } = await local.newTenant();
    const { id, secret: first } = await createWebhook(api, { url: `${base()}/rotate-0` });
    const rotate = (grace: number) =>
      api('POST', `/webhooks/${id}/secret/rotate`, { data: { attributes: { grace_period_seconds: grace } } });

    const withGrace = await rotate(3600);
    expect(withGrace.status).toBe(200);
    const second = String(resourceOf(withGrace).attributes.key);
    // The first secret still signs, beside the second.
    expect(resourceOf(await api('GET', `/webhooks/${id}/secret`)).attributes.previous_keys).toEqual([
      { expires_at: resourceOf(withGrace).attributes.previous_key_expires_at },
    ]);

    const compromised = await rotate(0);
    expect(compromised.status).toBe(200);
    const third = String(resourceOf(compromised).attributes.key);
    expect(resourceOf(await api('GET', `/webhooks/${id}/secret`)).attributes.previous_keys).toEqual([]);

    // Never delivered before, so the delivery function reads the webhook as the last rotation left it.
    await testEventDelivered(api, id);
    const [hit] = hitsUnder('/rotate-0');
    if (!hit) throw new Error('no delivery');
    const signatures = String(hit.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(1);
    expect(verifySignature(third, hit)).toBeDefined();
    for (const old of [first, second]) expect(() => verifySignature(old, hit)).toThrow();
  }, 40_000);
});

describe("the delivery log's time filters", () => {
  async function publish(tenant: string, time: Date): Promise<string> {
    const id = uniqueName('evt');
    const data = { reviewId: 'r', status: 'done', useCaseId: 'u', user: { email: 'a@b.c', userId: 'x' } };
    await local.publish('use_case_review_status_updated', eventDetail(data, { tenant, id }), { time });
    return id;
  }

  it('finds a delivery by a since and until copied from its own created_at, to the millisecond', async () => {
    const { tenant, api } = await local.newTenant();
    const { id } = await createWebhook(api, { url: `${base()}/fail-since` });
    // Whole seconds, as EventBridge gives them; the delivery is logged a little later, in milliseconds.
    const eventTime = new Date(Math.floor(Date.now() / 1000) * 1000);
    const deliveryId = deliveryIdFor(await publish(tenant, eventTime), id, eventTime.toISOString());
    const failed = await until(
      async () => {
        const res = await api('GET', `/webhooks/${id}/deliveries/${deliveryId}`);
        const attributes = res.status === 200 ? resourceOf(res).attributes : undefined;
        return attributes?.status === 'failed' ? attributes : undefined;
      },
      { everyMs: 100 },
    );
    const createdAt = String(failed.created_at);
    expect(createdAt).toMatch(/\.\d{3}Z$/);
    expect(Date.parse(createdAt)).toBeGreaterThan(eventTime.getTime());

    const listed = async (query: string) =>
      resourcesOf(await api('GET', `/webhooks/${id}/deliveries?${query}`)).map((d) => d.id);
    const since = encodeURIComponent(createdAt);
    expect(await listed(`filter[since]=${since}`)).toEqual([deliveryId]);
    expect(await listed(`filter[until]=${since}`)).toEqual([deliveryId]);
    expect(await listed(`filter[since]=${since}&filter[until]=${since}`)).toEqual([deliveryId]);
    const justAfter = encodeURIComponent(new Date(Date.parse(createdAt) + 1).toISOString());
    expect(await listed(`filter[since]=${justAfter}`)).toEqual([]);

    const recovered = await api('POST', `/webhooks/${id}/recover`, {
      data: { attributes: { since: createdAt } },
    });
    expect(recovered.status).toBe(202);
    expect(attributesOf(recovered)).toMatchObject({ queued: 1 });
  }, 40_000);
});

describe('per-tenant quotas', () => {
  it('refuses a webhook past the quota with 409 quota_exceeded, storing nothing, and a delete frees a slot', async () => {
    const { api } = await local.newTenant();
    const made: string[] = [];
    for (let i = 0; i < maxWebhooksPerTenant; i++)
      made.push((await createWebhook(api, { url: `${base()}/quota/${i}` })).id);

    const createWithKey = () =>
      api('POST', '/webhooks', webhookBody({ url: `${base()}/quota/extra` }), {
        headers: { 'Idempotency-Key': 'quota-extra' },
      });
    const refused = await createWithKey();
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([expect.objectContaining({ status: '409', code: 'quota_exceeded' })]);
    expect(
      resourcesOf(await api('GET', '/webhooks'))
        .map((w) => w.id)
        .sort(),
    ).toEqual([...made].sort());

    expect((await api('DELETE', `/webhooks/${made[0]}`)).status).toBe(204);
    // The refused create left no idempotency record: the same key now makes a webhook.
    const accepted = await createWithKey();
    expect(accepted.status).toBe(201);
    expect((await createWithKey()).status).toBe(201);
    expect(resourcesOf(await api('GET', '/webhooks')).length).toBe(maxWebhooksPerTenant);
  }, 30_000);

  it('answers the test event past the per-minute budget with 429 and Retry-After; another webhook is unaffected', async () => {
    const { api } = await local.newTenant();
    const { id } = await createWebhook(api, { url: `${base()}/budget-a` });
    const { id: other } = await createWebhook(api, { url: `${base()}/budget-b` });
    // The budget is per minute of the clock: start early enough in one that the requests
    // below (well under a second) cannot straddle two.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await sleep(60_000 - intoMinute + 50);
    const test = (webhookId: string) =>
      api('POST', `/webhooks/${webhookId}/test`, {
        data: { attributes: { event_type: 'use_case_name_updated' } },
      });

    for (let i = 0; i < testEventsPerMinute; i++) expect((await test(id)).status).toBe(202);
    const refused = await test(id);
    expect(refused.status).toBe(429);
    expect(refused.body.errors).toEqual([expect.objectContaining({ status: '429', code: 'rate_limited' })]);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Refused before anything was logged or queued.
    expect(resourcesOf(await api('GET', `/webhooks/${id}/deliveries`)).length).toBe(testEventsPerMinute);
    expect((await test(other)).status).toBe(202);
  }, 80_000);
});
