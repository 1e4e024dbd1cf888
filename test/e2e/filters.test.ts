import { bufferedOutput } from '../../cli/output';
import { runCli } from '../../cli/program';
import { createHeraldClient, HeraldApiError } from '../../clients/typescript/src';
import { eventDetail, seedReviewData } from '../helpers';
import { attributesOf, errorsOf, resourcesOf } from './support/api';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { until } from './support/wait';

/**
 * Payload filters end to end, in local mode: a table of events published on the bus to two
 * webhooks, one with a filter. The unfiltered one receives every event, the filtered one exactly
 * the matching ones, and `POST /webhooks/filter-test` answers the same as delivery on every row.
 */
const receiver = useReceiver();
const local = useLocalHerald('filters');
const { api, createWebhook, publish } = local;

const reviewStatusUpdated = 'use_case_review_status_updated';
const filter = {
  environment: ['production', 'staging'],
  data: {
    status: [{ 'anything-but': ['draft', 'archived'] }],
    score: [{ numeric: ['>=', 50, '<', 100] }],
    user: { email: [{ suffix: { 'equals-ignore-case': '@credo.ai' } }] },
    region: [{ exists: false }],
  },
};

interface Row {
  name: string;
  environment: string;
  data: Record<string, unknown>;
  matches: boolean;
}

const user = seedReviewData.user;
const rows: Row[] = [
  {
    name: 'every condition met',
    environment: 'production',
    data: { status: 'approved', score: 70 },
    matches: true,
  },
  {
    name: 'status excluded',
    environment: 'production',
    data: { status: 'draft', score: 70 },
    matches: false,
  },
  {
    name: 'lower bound included',
    environment: 'staging',
    data: { status: 'approved', score: 50 },
    matches: true,
  },
  {
    name: 'environment not listed',
    environment: 'qa',
    data: { status: 'approved', score: 70 },
    matches: false,
  },
  {
    name: 'below the range',
    environment: 'production',
    data: { status: 'approved', score: 49.5 },
    matches: false,
  },
  {
    name: 'upper bound excluded',
    environment: 'production',
    data: { status: 'approved', score: 100 },
    matches: false,
  },
  {
    name: 'a number as a string',
    environment: 'production',
    data: { status: 'approved', score: '70' },
    matches: false,
  },
  { name: 'score absent', environment: 'production', data: { status: 'approved' }, matches: false },
  {
    name: 'an array with one in range',
    environment: 'production',
    data: { status: 'approved', score: [10, 80] },
    matches: true,
  },
  {
    name: 'email suffix in other case',
    environment: 'production',
    data: { status: 'approved', score: 60, user: { ...user, email: 'ADA@CREDO.AI' } },
    matches: true,
  },
  {
    name: 'email elsewhere',
    environment: 'production',
    data: { status: 'approved', score: 60, user: { ...user, email: 'ada@example.com' } },
    matches: false,
  },
  {
    name: 'a field that must be absent',
    environment: 'production',
    data: { status: 'approved', score: 60, region: 'eu' },
    matches: false,
  },
];

/** The row's event data: the seed's, with the row's fields over it and its index to find it by. */
const dataOf = (row: Row, index: number) => ({ ...seedReviewData, ...row.data, row: index });

it('delivers exactly the matching events to the filtered webhook, as filter-test says', async () => {
  const all = await createWebhook({ url: `${receiver().url}/all`, environment: null });
  const filtered = await createWebhook({ url: `${receiver().url}/filtered`, environment: null, filter });

  for (const [index, row] of rows.entries()) {
    await publish(reviewStatusUpdated, eventDetail(dataOf(row, index), { environment: row.environment }));
  }
  const expected = rows.flatMap((row, index) => (row.matches ? [index] : []));
  const rowsAt = (path: string, secret: string) =>
    receiver()
      .at(path)
      .map((hit) => verifySignature(secret, hit))
      .map((body) => Number((body.data as Record<string, unknown>).row))
      .sort((a, b) => a - b);
  // The unfiltered webhook receives every row: the router has handled them all by then, and
  // queued the filtered webhook's deliveries in the same batch as these.
  await until(() => (rowsAt('/all', all.secret).length === rows.length ? true : undefined), { ms: 30_000 });
  await until(() => (rowsAt('/filtered', filtered.secret).length >= expected.length ? true : undefined), {
    ms: 30_000,
  });
  expect(rowsAt('/filtered', filtered.secret)).toEqual(expected);

  // Filtered out is not failed: the log holds the delivered rows only.
  const logged = resourcesOf(await api('GET', `/webhooks/${filtered.id}/deliveries?page[size]=100`));
  expect(logged).toHaveLength(expected.length);
  expect(logged.every((d) => d.attributes.status === 'succeeded')).toBe(true);

  // filter-test agrees with delivery on every row.
  for (const [index, row] of rows.entries()) {
    const response = await api('POST', '/webhooks/filter-test', {
      data: {
        attributes: {
          filter,
          event: { type: reviewStatusUpdated, environment: row.environment, data: dataOf(row, index) },
        },
      },
    });
    expect(response.status).toBe(200);
    expect({ row: row.name, matches: attributesOf(response).matches }).toEqual({
      row: row.name,
      matches: row.matches,
    });
  }
});

it('shows the filter, changes it and removes it with null', async () => {
  const { id } = await createWebhook({ url: `${receiver().url}/patched`, filter });
  expect(attributesOf(await api('GET', `/webhooks/${id}`)).filter).toEqual(filter);
  const narrower = { type: [reviewStatusUpdated], data: { status: ['approved'] } };
  const changed = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { filter: narrower } } });
  expect(attributesOf(changed).filter).toEqual(narrower);
  const removed = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { filter: null } } });
  expect(attributesOf(removed).filter).toBeNull();
});

it('refuses a bad filter with a 422 pointing at it, on a webhook and on filter-test', async () => {
  const created = await api('POST', '/webhooks', {
    data: {
      attributes: {
        description: 'Bad filter',
        url: `${receiver().url}/bad`,
        event_types: [reviewStatusUpdated],
        authentication_method: 'none',
        filter: { data: { score: [{ numeric: ['>', 'fifty'] }], status: [{ contains: 'x' }] } },
      },
    },
  });
  expect(created.status).toBe(422);
  expect(errorsOf(created).map((e) => [e.code, e.source?.pointer])).toEqual([
    ['invalid_value', '/data/attributes/filter/data/score/0/numeric/1'],
    ['unknown_operator', '/data/attributes/filter/data/status/0/contains'],
  ]);

  const tried = await api('POST', '/webhooks/filter-test', {
    data: { attributes: { filter: { data: { a: 'x' } }, event: { type: reviewStatusUpdated, data: {} } } },
  });
  expect(tried.status).toBe(422);
  expect(errorsOf(tried).map((e) => [e.code, e.source?.pointer])).toEqual([
    ['invalid_type', '/data/attributes/filter/data/a'],
  ]);

  const noEvent = await api('POST', '/webhooks/filter-test', { data: { attributes: { filter } } });
  expect(noEvent.status).toBe(422);
  expect(errorsOf(noEvent).map((e) => [e.code, e.source?.pointer])).toEqual([
    ['required', '/data/attributes/event'],
  ]);
});

it('answers filter-test through the TypeScript client, a bad filter as its 422', async () => {
  const client = createHeraldClient({
    baseUrl: local.herald.apiUrl,
    tenant: local.herald.demoTenant,
    apiKey: local.herald.demoApiKey,
  });
  const event = {
    type: reviewStatusUpdated,
    environment: 'production',
    data: { ...seedReviewData, score: 70 },
  };
  const yes = await client.webhooks.filterTest({ data: { score: [{ numeric: ['>', 60] }] } }, event);
  expect(yes.data.attributes.matches).toBe(true);
  const no = await client.webhooks.filterTest({ data: { score: [{ numeric: ['>', 80] }] } }, event);
  expect(no.data.attributes.matches).toBe(false);
  expect((await client.webhooks.filterTest(null, event)).data.attributes.matches).toBe(true);
  const refused = await client.webhooks
    .filterTest({ data: { score: [{ exists: 1 }] } }, event)
    .catch((e) => e);
  expect(refused).toBeInstanceOf(HeraldApiError);
  expect(refused).toMatchObject({ status: 422 });
});

it('answers filter-test and sets a filter through the CLI', async () => {
  const cli = async (...argv: string[]) => {
    const output = bufferedOutput();
    const env = {
      HERALD_API_URL: local.herald.apiUrl,
      HERALD_API_KEY: local.herald.demoApiKey,
      HERALD_TENANT: local.herald.demoTenant,
      NO_COLOR: '1',
    };
    const code = await runCli(argv, { output, env, cwd: process.cwd() });
    return { code, stdout: output.stdout(), stderr: output.stderr() };
  };
  const event = JSON.stringify({ type: reviewStatusUpdated, data: { ...seedReviewData, score: 70 } });
  const yes = await cli(
    'webhooks',
    'filter-test',
    '--filter',
    '{"data":{"score":[{"numeric":[">",60]}]}}',
    '--event',
    event,
  );
  expect(yes).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Matches/) });
  const no = await cli(
    'webhooks',
    'filter-test',
    '--filter',
    '{"data":{"status":["draft"]}}',
    '--event',
    event,
  );
  expect(no).toMatchObject({ code: 0, stdout: expect.stringMatching(/^No match/) });
  const bad = await cli(
    'webhooks',
    'filter-test',
    '--filter',
    '{"data":{"status":"draft"}}',
    '--event',
    event,
  );
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('/data/attributes/filter/data/status');

  const { id } = await createWebhook({ url: `${receiver().url}/cli` });
  const updated = await cli(
    'webhooks',
    'update',
    id,
    '--filter',
    '{"type":["use_case_review_status_updated"]}',
    '--json',
  );
  expect(updated.code).toBe(0);
  expect(JSON.parse(updated.stdout).data.attributes.filter).toEqual({ type: [reviewStatusUpdated] });
  const removed = await cli('webhooks', 'update', id, '--filter', 'null', '--json');
  expect(JSON.parse(removed.stdout).data.attributes.filter).toBeNull();
});
