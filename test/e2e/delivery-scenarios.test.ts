import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbWebhookStore } from '../../functions/adapters/aws/dynamodb-webhook-store';
import { eventCatalog } from '../../functions/domain/event-catalog';
import { localAwsConfig } from '../../local/emulators';
import { eventDetail, storedWebhook } from '../helpers';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { sleep, until } from './support/wait';

/**
 * Delivery scenarios through local mode: every event type, OAuth, a slow receiver beside a fast
 * one, and a fan-out to 1,000 webhooks. Receivers and the token server are on loopback.
 */
const tokenRequests: Array<{ contentType: string | undefined; body: string }> = [];
let tokenCounter = 0;
let tokenExpiresIn = 3600;
/** Tokens the receiver refuses with 401 (to test refresh on 401). */
const refusedTokens = new Set<string>();
const slowPaths = new Set<string>();

const receiver = useReceiver({
  respond: (hit, res) => {
    if (hit.path === '/token') {
      tokenRequests.push({ contentType: hit.headers['content-type'], body: hit.body });
      tokenCounter++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: `token-${tokenCounter}`, expires_in: tokenExpiresIn }));
      return;
    }
    const auth = hit.headers.authorization?.replace('Bearer ', '');
    if (auth && refusedTokens.has(auth)) {
      res.writeHead(401).end();
      return;
    }
    if (slowPaths.has(hit.path)) {
      setTimeout(() => res.writeHead(200).end('slow'), 5000).unref();
      return;
    }
    res.writeHead(200).end('ok');
  },
});
const local = useLocalHerald('scenarios', { retrySchedule: '1s,1s', deliveryTimeoutMs: 1500 });
const { createWebhook } = local;

const base = () => receiver().url;
const hitsAt = (path: string) => receiver().at(path);

const publish = (detailType: string, data: Record<string, unknown>) =>
  local.publish(detailType, eventDetail(data));

it('delivers every event type of the catalog with its payload, signed, typed with prefix and suffix', async () => {
  const { secret } = await createWebhook({
    url: `${base()}/all-types`,
    event_types: eventCatalog.map((t) => t.name),
  });
  // The platform publishes its own types; operational ones come from Herald (operational-events.test.ts).
  const platformTypes = eventCatalog.filter((t) => t.group !== 'operational');
  for (const type of platformTypes) await publish(type.name, { ...type.example });
  const received = await until(() =>
    hitsAt('/all-types').length >= platformTypes.length ? hitsAt('/all-types') : undefined,
  );
  const bodies = received.map((h) => verifySignature(secret, h));
  for (const type of platformTypes) {
    const body = bodies.find((b) => b.subject === type.name);
    expect(body).toEqual(
      expect.objectContaining({ type: `CredoAI.${type.name}.v1`, source: 'CredoAI', data: type.example }),
    );
  }
}, 40_000);

it('authenticates with OAuth: JSON and form payloads, the token reused, refreshed after expiry and on a 401', async () => {
  tokenExpiresIn = 3600;
  await createWebhook({
    url: `${base()}/oauth-json`,
    authentication_method: 'o_auth',
    authentication_payload: { client_id: 'herald', client_secret: 's3cret' },
    authentication_payload_type: 'application/json',
    authentication_server: `${base()}/token`,
  });
  const before = tokenRequests.length;
  await publish(
    'use_case_review_status_updated',
    eventCatalog.find((t) => t.name === 'use_case_review_status_updated')?.example ?? {},
  );
  const first = await until(() => hitsAt('/oauth-json')[0]);
  expect(tokenRequests[before]).toEqual({
    contentType: 'application/json',
    body: JSON.stringify({ client_id: 'herald', client_secret: 's3cret' }),
  });
  expect(first.headers.authorization).toMatch(/^Bearer token-\d+$/);

  await publish('use_case_review_status_updated', {
    reviewId: 'r2',
    status: 'done',
    useCaseId: 'u',
    user: { email: 'a@b.c' },
  });
  const second = await until(() => hitsAt('/oauth-json')[1]);
  expect(second.headers.authorization).toBe(first.headers.authorization);
  expect(tokenRequests.length).toBe(before + 1);

  // The receiver now refuses that token: Herald refreshes once and the delivery succeeds.
  refusedTokens.add(String(first.headers.authorization).replace('Bearer ', ''));
  await publish('use_case_review_status_updated', {
    reviewId: 'r3',
    status: 'done',
    useCaseId: 'u',
    user: { email: 'a@b.c' },
  });
  const refreshed = await until(() =>
    hitsAt('/oauth-json').find((h) => h.headers.authorization !== first.headers.authorization),
  );
  expect(tokenRequests.length).toBe(before + 2);
  expect(refreshed.headers.authorization).toMatch(/^Bearer token-\d+$/);

  // A form-encoded payload, and a token that expires: the next delivery fetches a new one.
  tokenExpiresIn = 2;
  await createWebhook({
    url: `${base()}/oauth-form`,
    event_types: ['use_case_review_comment'],
    authentication_method: 'o_auth',
    authentication_payload: { grant_type: 'client_credentials', scope: 'webhooks' },
    authentication_payload_type: 'application/x-www-form-urlencoded',
    authentication_server: `${base()}/token`,
  });
  const comment = eventCatalog.find((t) => t.name === 'use_case_review_comment')?.example ?? {};
  const formBefore = tokenRequests.length;
  await publish('use_case_review_comment', { ...comment });
  const formHit = await until(() => hitsAt('/oauth-form')[0]);
  expect(tokenRequests[formBefore]).toEqual({
    contentType: 'application/x-www-form-urlencoded',
    body: 'grant_type=client_credentials&scope=webhooks',
  });
  await sleep(2100);
  await publish('use_case_review_comment', { ...comment });
  const afterExpiry = await until(() => hitsAt('/oauth-form')[1]);
  expect(tokenRequests.length).toBe(formBefore + 2);
  expect(afterExpiry.headers.authorization).not.toBe(formHit.headers.authorization);
}, 40_000);

it('does not let slow receivers delay the others', async () => {
  slowPaths.add('/slow-1');
  slowPaths.add('/slow-2');
  for (const path of ['/slow-1', '/slow-2', '/fast']) {
    await createWebhook({ url: `${base()}${path}`, event_types: ['use_case_review_task_deleted'] });
  }
  const example = eventCatalog.find((t) => t.name === 'use_case_review_task_deleted')?.example ?? {};
  const sent = Date.now();
  await publish('use_case_review_task_deleted', { ...example });
  // Each slow receiver holds its request for 5 s, past the 1.5 s timeout. Sent one after another,
  // the later requests would start at least 1.5 s late; sent together, all start at once.
  const first = await Promise.all(
    ['/slow-1', '/slow-2', '/fast'].map((path) => until(() => hitsAt(path)[0])),
  );
  for (const hit of first) expect(hit.at - sent).toBeLessThan(1400);
}, 30_000);

it('fans one event out to 1,000 webhooks', async () => {
  const store = new DynamoDbWebhookStore(
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...localAwsConfig, endpoint: local.herald.dynamoDbEndpoint }),
      {
        marshallOptions: { removeUndefinedValues: true },
      },
    ),
    local.herald.tableName,
  );
  const now = new Date();
  const count = 1000;
  const webhooks = Array.from({ length: count }, (_, i) =>
    storedWebhook(
      { url: `${base()}/fan/${i}`, event_types: ['use_case_questionnaire_ids_updated'] },
      { now },
    ),
  );
  for (let i = 0; i < count; i += 50)
    await Promise.all(webhooks.slice(i, i + 50).map((w) => store.create(w)));
  const fanHits = () => receiver().hits.filter((h) => h.path.startsWith('/fan/'));
  await publish('use_case_questionnaire_ids_updated', { useCaseId: 'fan-out', value: ['q1'] });
  const fanned = await until(
    () => {
      const paths = new Set(fanHits().map((h) => h.path));
      return paths.size >= count ? paths : undefined;
    },
    { ms: 90_000 },
  );
  expect(fanned.size).toBe(count);
  const ids = new Set(fanHits().map((h) => h.headers['webhook-id']));
  expect(ids.size).toBe(count);
}, 120_000);
