import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContractChecker, describeViolation } from '../../local/contract-check';
import { type LocalHerald, startLocalHerald } from '../../local/herald';
import { emulatorEndpoints, uniqueName } from '../helpers';

/**
 * Local mode serves the OpenAPI document with no credential, the same text as docs/openapi.json,
 * and its contract check sees every response: a response that breaks the document is reported
 * with the operation, the status and ajv's errors.
 */

let herald: LocalHerald;
const seen: string[] = [];
const broken: string[] = [];

beforeAll(async () => {
  const { dynamoDb, sqs } = emulatorEndpoints();
  const check = createContractChecker();
  herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-openapi-')),
    dynamoDbEndpoint: dynamoDb,
    sqsEndpoint: sqs,
    tableName: uniqueName('herald-openapi'),
    queuePrefix: uniqueName('openapi'),
    logLevel: 'ERROR',
    // A check of this test's own in place of the one the setup enables, to see what it is given.
    checkResponse: (method, path, status, body) => {
      seen.push(`${method} ${path} ${status}`);
      const violation = check(method, path, status, body);
      if (violation) broken.push(describeViolation(violation));
    },
  });
});

afterAll(async () => {
  await herald?.stop();
});

describe('GET /api/v2/openapi.json', () => {
  it('answers the committed document with no credential', async () => {
    const res = await fetch(`${herald.apiUrl}/api/v2/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8');
    expect(await res.text()).toBe(committed);
  });

  it('is the only open route under /api/v2 besides it: other methods on it are the gateway’s 404', async () => {
    const res = await fetch(`${herald.apiUrl}/api/v2/openapi.json`, { method: 'POST' });
    expect(res.status).toBe(404);
    const tenantRoute = await fetch(`${herald.apiUrl}/api/v2/demo/webhooks`);
    expect(tenantRoute.status).toBe(401);
  });
});

describe('the contract check in local mode', () => {
  it('sees every response the stand-in sends, the gateway’s own too, and passes those that fit', async () => {
    await fetch(`${herald.apiUrl}/api/v2/demo/webhooks`, {
      headers: { Authorization: `Bearer ${herald.demoApiKey}` },
    });
    await fetch(`${herald.apiUrl}/api/v2/demo/webhooks/wh_unknown`, {
      headers: { Authorization: `Bearer ${herald.demoApiKey}` },
    });
    expect(seen).toEqual(
      expect.arrayContaining([
        'GET /api/v2/openapi.json 200',
        'GET /api/v2/demo/webhooks 401',
        'GET /api/v2/demo/webhooks 200',
        'GET /api/v2/demo/webhooks/wh_unknown 404',
      ]),
    );
    expect(broken).toEqual([]);
  });
});
