import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { describeDelivery, formatDelivery, verifiersFor } from '../../cli/commands/listen';
import { eventsTargetOf } from '../../cli/commands/publish';
import { attributesFrom } from '../../cli/commands/webhooks';
import { apiKeyOf, apiUrlOf, type Context, tenantOf } from '../../cli/context';
import {
  bufferedOutput,
  colorEnabled,
  exitCodes,
  networkErrorCode,
  RefusedError,
  reportFailure,
  table,
  UnreachableError,
  UsageError,
} from '../../cli/output';
import { runCli } from '../../cli/program';
import { cliDoc } from '../../scripts/cli-doc';
import { seedBodies, seedReviewData } from '../helpers';

/** The CLI's pure parts: settings, output and exit codes, what `listen` makes of a request, `create`'s attributes. */
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const contextWith = (
  env: NodeJS.ProcessEnv = {},
): Context & { output: ReturnType<typeof bufferedOutput> } => ({
  output: bufferedOutput(),
  env,
  cwd: dir,
});

describe('settings: flag over environment over default', () => {
  it('reads the API URL, dropping a trailing slash, and refuses what is not http(s)', () => {
    expect(apiUrlOf({}, {})).toBe('http://127.0.0.1:3000');
    expect(apiUrlOf({}, { HERALD_API_URL: 'https://api.example.com/prod/' })).toBe(
      'https://api.example.com/prod',
    );
    expect(apiUrlOf({ apiUrl: 'http://127.0.0.1:9' }, { HERALD_API_URL: 'https://x.example' })).toBe(
      'http://127.0.0.1:9',
    );
    expect(() => apiUrlOf({}, { HERALD_API_URL: 'ftp://x' })).toThrow(UsageError);
  });

  it('reads the tenant, demo by default, with the API rule for names', () => {
    expect(tenantOf({}, {})).toBe('demo');
    expect(tenantOf({}, { HERALD_TENANT: '' })).toBe('demo');
    expect(tenantOf({ tenant: 'acme' }, { HERALD_TENANT: 'other' })).toBe('acme');
    expect(() => tenantOf({ tenant: 'Acme!' }, {})).toThrow(/lowercase/);
  });

  it("falls back to local mode's kept demo key, for the demo tenant only", () => {
    const dataDir = join(dir, 'data');
    const context = contextWith({ HERALD_DATA_DIR: dataDir });
    expect(() => apiKeyOf({}, context, 'demo')).toThrow(/No API key: set HERALD_API_KEY/);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'demo-api-key'), 'hrld_kept\n');
    expect(apiKeyOf({}, context, 'demo')).toBe('hrld_kept');
    expect(() => apiKeyOf({}, context, 'acme')).toThrow(UsageError);
    expect(apiKeyOf({}, contextWith({ HERALD_API_KEY: 'hrld_env', HERALD_DATA_DIR: dataDir }), 'demo')).toBe(
      'hrld_env',
    );
    expect(apiKeyOf({ apiKey: 'hrld_flag' }, contextWith({ HERALD_API_KEY: 'hrld_env' }), 'acme')).toBe(
      'hrld_flag',
    );
  });

  it('publishes to local mode unless HERALD_EVENTS_URL is set empty or --aws is given', () => {
    expect(eventsTargetOf({}, false)).toEqual({ kind: 'local', url: 'http://127.0.0.1:4010' });
    expect(eventsTargetOf({ HERALD_EVENTS_URL: 'http://127.0.0.1:5000' }, false)).toEqual({
      kind: 'local',
      url: 'http://127.0.0.1:5000',
    });
    expect(eventsTargetOf({ HERALD_EVENTS_URL: '' }, false)).toEqual({ kind: 'aws' });
    expect(eventsTargetOf({}, true)).toEqual({ kind: 'aws' });
    expect(() => eventsTargetOf({ HERALD_EVENTS_URL: 'localhost:4010' }, false)).toThrow(UsageError);
  });
});

describe('output', () => {
  it('colours only a terminal, never with NO_COLOR or TERM=dumb, always with FORCE_COLOR', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(false);
  });

  it('prints tables without borders or trailing spaces', () => {
    const text = table(
      bufferedOutput(),
      ['ID', 'EVENT TYPES'],
      [
        ['wh_1', ['a', 'b']],
        ['wh_22', null],
      ],
    );
    expect(text).toBe('ID     EVENT TYPES\nwh_1   a, b\nwh_22');
  });

  it("maps failures to exit codes: the API's refusal 1, usage 2, unreachable 3", () => {
    const apiError = Object.assign(new Error('Invalid attribute: ...'), {
      status: 422,
      errors: [
        {
          status: '422',
          code: 'required',
          title: 'Invalid attribute',
          detail: 'url is required.',
          source: { pointer: '/data/attributes/url' },
        },
      ],
    });
    const people = bufferedOutput();
    expect(reportFailure(people, apiError, false)).toBe(exitCodes.refused);
    expect(people.stderr()).toBe('Error 422 required: url is required. (at /data/attributes/url)\n');
    const scripts = bufferedOutput();
    reportFailure(scripts, apiError, true);
    expect(JSON.parse(scripts.stderr())).toEqual({ errors: apiError.errors });

    expect(reportFailure(bufferedOutput(), new RefusedError([{ detail: 'no' }]), false)).toBe(1);
    expect(reportFailure(bufferedOutput(), new UsageError('bad flag'), false)).toBe(2);
    expect(reportFailure(bufferedOutput(), new UnreachableError('gone'), false)).toBe(3);
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' }),
    });
    expect(reportFailure(bufferedOutput(), refused, false)).toBe(3);
    expect(reportFailure(bufferedOutput(), new Error('something else'), false)).toBe(1);
  });

  it('finds a network error code in causes and in an AggregateError', () => {
    const inner = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new TypeError('fetch failed', { cause: new AggregateError([inner]) }))).toBe(
      'ECONNREFUSED',
    );
    expect(networkErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(networkErrorCode('text')).toBeUndefined();
  });

  it('is what docs/cli.md says (npm run docs rewrites it)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8');
    expect(committed).toBe(cliDoc());
  });

  it('exits 0 for help and version, 2 for a usage error, in process', async () => {
    const help = contextWith();
    expect(await runCli(['webhooks', '--help'], help)).toBe(0);
    expect(help.output.stdout()).toContain('Usage: herald webhooks');
    expect(await runCli(['--version'], contextWith())).toBe(0);
    const missing = contextWith();
    expect(await runCli(['deliveries', 'get', 'wh_1'], missing)).toBe(2);
    expect(missing.output.stderr()).toContain("missing required argument 'delivery_id'");
    // A group without its command shows its help, as an error.
    expect(await runCli(['webhooks'], contextWith())).toBe(2);
  });
});

describe('herald listen: what a request was', () => {
  const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
  const other = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
  const body = JSON.stringify({ type: 'CredoAI.use_case_name_updated.v1', data: { name: 'x' } });
  const signed = (key: string) => {
    const at = new Date();
    return {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign('msg_1', at, body),
    };
  };
  const request = (headers: Record<string, string>, text = body) => ({
    method: 'POST',
    path: '/hook',
    headers,
    body: text,
  });
  const now = new Date('2026-11-27T10:00:00Z');

  it('verifies with the secret, and with either of two (a rotation)', () => {
    const seen = describeDelivery(request(signed(secret)), verifiersFor([secret]), 200, now);
    expect(seen).toMatchObject({
      webhook_id: 'msg_1',
      type: 'CredoAI.use_case_name_updated.v1',
      verified: true,
      answered: 200,
      body: { data: { name: 'x' } },
    });
    expect(seen).not.toHaveProperty('verify_error');
    expect(describeDelivery(request(signed(secret)), verifiersFor([other, secret]), 200, now).verified).toBe(
      true,
    );
  });

  it('says why a signature does not verify, and "not checked" without a secret', () => {
    const wrong = describeDelivery(request(signed(other)), verifiersFor([secret]), 200, now);
    expect(wrong).toMatchObject({ verified: false, verify_error: expect.any(String) });
    expect(formatDelivery(wrong, bufferedOutput().color)).toContain('signature NOT verified');
    const tampered = describeDelivery(request(signed(secret), `${body} `), verifiersFor([secret]), 200, now);
    expect(tampered.verified).toBe(false);
    const unchecked = describeDelivery(request(signed(secret)), [], 500, now);
    expect(unchecked.verified).toBeNull();
    expect(formatDelivery(unchecked, bufferedOutput().color)).toMatch(
      /CredoAI\.use_case_name_updated\.v1 {2}msg_1 {2}signature not checked {2}answered 500/,
    );
  });

  it('shows a body that is not JSON as its text, and refuses a secret that is not one', () => {
    const seen = describeDelivery(request({}, 'plain text'), [], 200, now);
    expect(seen).toMatchObject({ body: 'plain text', type: null, webhook_id: null });
    expect(() => verifiersFor(['not-a-secret!'])).toThrow(UsageError);
  });
});

describe('herald webhooks create: the attributes sent', () => {
  it("takes a body file's attributes, or bare attributes, with flags over them", () => {
    writeFileSync(join(dir, 'body.json'), JSON.stringify(seedBodies.oAuth));
    writeFileSync(join(dir, 'attributes.json'), JSON.stringify(seedBodies.none.data.attributes));
    expect(attributesFrom({ file: 'body.json' }, dir)).toEqual(seedBodies.oAuth.data.attributes);
    expect(
      attributesFrom({ file: 'attributes.json', description: 'Renamed', eventTypes: ['a', 'b'] }, dir),
    ).toEqual({
      ...seedBodies.none.data.attributes,
      description: 'Renamed',
      event_types: ['a', 'b'],
    });
  });

  it('maps each flag to its attribute, the OAuth payload parsed as JSON', () => {
    expect(
      attributesFrom(
        {
          description: 'd',
          url: 'https://example.com',
          eventTypes: ['use_case_review_status_updated'],
          eventTypePrefix: 'CredoAI',
          eventTypeSuffix: 'v1',
          environment: 'production',
          authenticationMethod: 'o_auth',
          authenticationPayload: '{"key":"secret_key_value"}',
          authenticationPayloadType: 'application/json',
          authenticationServer: 'https://auth.example.com',
          bucket: 'use_case_events',
        },
        dir,
      ),
    ).toEqual({
      description: 'd',
      url: 'https://example.com',
      event_types: ['use_case_review_status_updated'],
      event_type_prefix: 'CredoAI',
      event_type_suffix: 'v1',
      environment: 'production',
      authentication_method: 'o_auth',
      authentication_payload: { key: 'secret_key_value' },
      authentication_payload_type: 'application/json',
      authentication_server: 'https://auth.example.com',
      bucket: 'use_case_events',
    });
    expect(() => attributesFrom({ authenticationPayload: '[1]' }, dir)).toThrow(/must be a JSON object/);
    expect(() => attributesFrom({ file: 'missing.json' }, dir)).toThrow(/cannot read it/);
  });

  it('takes --filter as JSON or @file, and null to remove it', () => {
    const filter = { data: { status: ['approved'] } };
    expect(attributesFrom({ filter: JSON.stringify(filter) }, dir)).toEqual({ filter });
    writeFileSync(join(dir, 'filter.json'), JSON.stringify(filter));
    expect(attributesFrom({ filter: '@filter.json' }, dir)).toEqual({ filter });
    expect(attributesFrom({ filter: 'null' }, dir)).toEqual({ filter: null });
    expect(() => attributesFrom({ filter: '["approved"]' }, dir)).toThrow(/--filter must be a JSON object/);
  });

  it('takes --rate-limit as a number, null to remove it, and anything else as given for the API to refuse', () => {
    expect(attributesFrom({ rateLimit: '5' }, dir)).toEqual({ rate_limit: 5 });
    expect(attributesFrom({ rateLimit: ' 1000 ' }, dir)).toEqual({ rate_limit: 1000 });
    expect(attributesFrom({ rateLimit: 'null' }, dir)).toEqual({ rate_limit: null });
    expect(attributesFrom({ rateLimit: '2.5' }, dir)).toEqual({ rate_limit: 2.5 });
    expect(attributesFrom({ rateLimit: 'fast' }, dir)).toEqual({ rate_limit: 'fast' });
  });

  it('takes --ordering as given', () => {
    expect(attributesFrom({ ordering: 'fifo' }, dir)).toEqual({ ordering: 'fifo' });
    expect(attributesFrom({ ordering: 'none' }, dir)).toEqual({ ordering: 'none' });
  });
});

describe('herald publish --aws', () => {
  // No EventBridge emulator reaches the deployed path: the SDK client is mocked with what AWS answers.
  const events = mockClient(EventBridgeClient);
  beforeEach(() => events.reset());
  const args = [
    'publish',
    'use_case_review_status_updated',
    '--data',
    JSON.stringify(seedReviewData),
    '--aws',
  ];

  it("puts the event on the configured bus with the SDK's own endpoint, and prints its id", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-aws-1' }] });
    const context = contextWith({
      HERALD_BUS_NAME: 'herald-staging',
      HERALD_EVENT_SOURCE: 'CredoAI.staging',
    });
    expect(await runCli([...args, '--tenant', 'acme', '--id', 'evt_1'], context)).toBe(0);
    expect(context.output.stdout()).toBe(
      'Published use_case_review_status_updated for tenant acme (production) to bus herald-staging on AWS: event id evt-aws-1\n',
    );
    const sent = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(sent).toMatchObject({
      EventBusName: 'herald-staging',
      Source: 'CredoAI.staging',
      DetailType: 'use_case_review_status_updated',
    });
    expect(JSON.parse(sent?.Detail ?? '')).toEqual({
      tenant: 'acme',
      environment: 'production',
      id: 'evt_1',
      data: seedReviewData,
    });
    // Where the SDK is pointed comes from the environment and its own config, not from local mode.
    expect(await events.send.thisValues[0]?.config.endpoint).toBeUndefined();
  });

  it("fails (exit 1) on a refused entry, with EventBridge's code and message", async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'NotFoundException', ErrorMessage: 'Event bus herald does not exist.' }],
    });
    const context = contextWith();
    expect(await runCli(args, context)).toBe(1);
    expect(context.output.stderr()).toContain(
      'PutEvents (bus herald on AWS) refused the event: NotFoundException: Event bus herald does not exist.',
    );
  });
});
