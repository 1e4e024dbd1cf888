import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { freePort } from '../../local/emulators';
import { version } from '../../package.json';
import { seedBodies, seedReviewData } from '../helpers';
import { resourcesOf } from './support/api';
import { useLocalHerald } from './support/local';
import { root, type Started, startProcess, waitForOutput } from './support/process';
import { until } from './support/wait';

/**
 * The `herald` CLI as a user runs it: the real bin (cli/herald.mjs) in a process of its own, against
 * local mode started in this file, configured only through the environment it documents.
 */
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
// Local mode writes local.json here, where `herald keys` finds it through HERALD_DATA_DIR.
const local = useLocalHerald('cli', { dataDir: dir, retrySchedule: '1s,1s' });
const bin = join(root, 'cli', 'herald.mjs');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a user of local mode sets (or, for the defaults, need not). */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: '1',
    HERALD_API_URL: local.herald.apiUrl,
    HERALD_API_KEY: local.herald.demoApiKey,
    HERALD_EVENTS_URL: local.herald.eventsUrl,
    HERALD_DATA_DIR: dir,
    ...extra,
  };
}

/** Runs `herald <args>` to its end. */
function herald(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env: cliEnv(env) }, (error, stdout, stderr) => {
      const code = error ? z.object({ code: z.number() }).parse(error).code : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `herald <args>`, expecting success, and parses its `--json` output. */
async function heraldJson(args: string[], env: Record<string, string> = {}): Promise<unknown> {
  const run = await herald(['--json', ...args], env);
  if (run.code !== 0) throw new Error(`herald ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A `herald listen` in the background, with its address. */
interface Listener {
  started: Started;
  url: string;
  /** Its stdout lines so far that are JSON (with --json: one per delivery). */
  deliveries(): Array<Record<string, unknown>>;
}

const listeners: Started[] = [];
afterAll(async () => {
  for (const l of listeners) if (l.child.exitCode === null) l.child.kill('SIGKILL');
});

async function listen(args: string[]): Promise<Listener> {
  const port = args.includes('--port') ? [] : ['--port', '0'];
  const started = startProcess(process.execPath, [bin, 'listen', ...port, ...args], {
    cwd: dir,
    env: cliEnv(),
  });
  listeners.push(started);
  const [, url] = await waitForOutput(started, /Listening on (http:\/\/127\.0\.0\.1:\d+)/, 15_000);
  return {
    started,
    url: url ?? '',
    deliveries: () =>
      started
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => z.record(z.unknown()).parse(JSON.parse(line))),
  };
}

const deliveryLine = z.object({
  webhook_id: z.string(),
  type: z.string(),
  verified: z.boolean().nullable(),
  verify_error: z.string().optional(),
  answered: z.number(),
  body: z.object({ data: z.record(z.unknown()) }).passthrough(),
});

describe('herald --help, --version and usage errors', () => {
  it('prints help for the program, with its settings and exit codes', async () => {
    const run = await herald(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: herald /);
    for (const text of [
      'HERALD_API_URL',
      'HERALD_API_KEY',
      'HERALD_TENANT',
      'HERALD_EVENTS_URL',
      'Exit codes',
    ])
      expect(run.stdout).toContain(text);
  });

  it.each([
    'webhooks',
    'webhooks create',
    'deliveries',
    'deliveries list',
    'event-types',
    'publish',
    'listen',
    'keys',
    'keys create',
  ])('prints help for %s', async (command) => {
    const run = await herald([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: herald ${command}`);
    // The global flags are listed under every command.
    expect(run.stdout).toContain('--api-url');
  });

  it('prints the version', async () => {
    expect((await herald(['--version'])).stdout.trim()).toBe(version);
  });

  it('exits 2 on an unknown command or flag, saying which', async () => {
    const unknown = await herald(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const flag = await herald(['publish', 'use_case_name_updated', '--nope']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--nope'");
  });
});

describe('herald keys', () => {
  it('creates a key that the API accepts, lists it, and revokes it', async () => {
    const created = z
      .object({ tenant: z.literal('clitenant'), key_id: z.string(), key: z.string().startsWith('hrld_') })
      .parse(await heraldJson(['keys', 'create', 'clitenant', '--label', 'e2e']));
    const asTenant = { HERALD_TENANT: 'clitenant', HERALD_API_KEY: created.key };
    expect((await local.tenantApi('clitenant', created.key)('GET', '/webhooks')).status).toBe(200);

    const listed = z
      .array(
        z.object({
          key_id: z.string(),
          created_at: z.string(),
          revoked_at: z.string().nullable(),
          label: z.string().nullable(),
        }),
      )
      .parse(await heraldJson(['keys', 'list'], asTenant));
    expect(listed).toEqual([
      { key_id: created.key_id, created_at: expect.any(String), revoked_at: null, label: 'e2e' },
    ]);

    // The key id alone: the tenant comes from HERALD_TENANT.
    const revoked = await herald(['keys', 'revoke', created.key_id], asTenant);
    expect(revoked).toMatchObject({
      code: 0,
      stdout: `Revoked key ${created.key_id} of tenant clitenant.\n`,
    });
    expect((await local.tenantApi('clitenant', created.key)('GET', '/webhooks')).status).toBe(401);
    const table = await herald(['keys', 'list', 'clitenant']);
    expect(table.stdout).toMatch(new RegExp(`${created.key_id}\\s+\\S+\\s+revoked`));
  });

  it('refuses a key the tenant does not have: exit 1, the detail on stderr', async () => {
    const run = await herald(['keys', 'revoke', 'clitenant', 'key_nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('404 not_found: Tenant clitenant has no key key_nope.');
    const asJson = await herald(['--json', 'keys', 'revoke', 'clitenant', 'key_nope']);
    expect(JSON.parse(asJson.stderr)).toEqual({
      errors: [{ status: '404', code: 'not_found', detail: 'Tenant clitenant has no key key_nope.' }],
    });
  });
});

describe('herald publish and herald listen', () => {
  it('delivers a published event to listeners: verified with the secret, not with another, and a 500 retried', async () => {
    // The right secret is known once the webhook exists, so that listener comes second, on the port
    // the webhook was given.
    const port = await freePort();
    const hookRight = await local.createWebhook({ url: `http://127.0.0.1:${port}/hook` });
    const verifying = await listen(['--json', '--secret', hookRight.secret, '--port', String(port)]);
    const wrong = await listen(['--json', '--secret', `whsec_${Buffer.alloc(24, 7).toString('base64')}`]);
    const failing = await listen(['--status', '500']);
    await local.createWebhook({ url: `${wrong.url}/hook` });
    const hookFailing = await local.createWebhook({ url: `${failing.url}/hook` });

    const published = z
      .object({
        FailedEntryCount: z.literal(0),
        Entries: z.array(z.object({ EventId: z.string() })).length(1),
      })
      .parse(
        await heraldJson([
          'publish',
          'use_case_review_status_updated',
          '--data',
          JSON.stringify(seedReviewData),
        ]),
      );
    expect(published.Entries[0]?.EventId).toBeTruthy();

    const good = deliveryLine.parse(
      await until(() => verifying.deliveries()[0], { what: 'a verified delivery' }),
    );
    expect(good).toMatchObject({
      type: 'CredoAI.use_case_review_status_updated.v1',
      verified: true,
      answered: 200,
      body: { data: seedReviewData },
    });
    expect(good.webhook_id).toMatch(/^msg_/);
    const bad = deliveryLine.parse(
      await until(() => wrong.deliveries()[0], { what: 'a delivery to the wrong secret' }),
    );
    expect(bad).toMatchObject({ verified: false, verify_error: expect.any(String) });
    await waitForOutput(failing.started, /signature not checked {2}answered 500/, 20_000);

    // Herald saw the 500: the failing webhook's log has the failed attempt (and a retry scheduled).
    const log = await until(
      async () => {
        const listed = resourcesOf(await local.api('GET', `/webhooks/${hookFailing.id}/deliveries`));
        return listed[0]?.attributes.last_status_code === 500 ? listed[0] : undefined;
      },
      { what: 'the failed attempt in the log' },
    );
    expect(log.attributes.status).toMatch(/retrying|failed/);

    for (const l of [verifying, wrong, failing]) {
      l.started.child.kill('SIGTERM');
      expect(await l.started.exited).toBe(0);
    }
  });

  it('publishes from a file, and prints the event id for people', async () => {
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(seedReviewData));
    const run = await herald([
      'publish',
      'use_case_review_status_updated',
      '--data',
      '@event.json',
      '--id',
      'evt_cli_1',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Published use_case_review_status_updated for tenant demo \(production\) to http:\/\/127\.0\.0\.1:\d+: event id \S+\n$/,
    );
  });

  it('refuses data the router would refuse (exit 2), unless told to publish it anyway', async () => {
    const run = await herald(['publish', 'use_case_review_status_updated', '--data', '{"status":1}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('detail.data.reviewId is required');
    const forced = await herald([
      'publish',
      'use_case_review_status_updated',
      '--data',
      '{"status":1}',
      '--no-check',
    ]);
    expect(forced.code).toBe(0);
  });

  it('exits 3 when local mode is not there, and says where it looked', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await herald(['publish', 'use_case_name_updated'], { HERALD_EVENTS_URL: url });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Could not reach the PutEvents endpoint at ${url}`);
  });
});

const webhookDocument = z.object({
  data: z.object({
    id: z.string(),
    attributes: z
      .object({
        description: z.string(),
        url: z.string(),
        status: z.string(),
        event_types: z.array(z.string()),
      })
      .passthrough(),
  }),
});
const createdDocument = z.object({
  data: z.object({ id: z.string(), attributes: z.object({ signing_secret: z.string() }).passthrough() }),
});
const listDocument = z.object({
  data: z.array(z.object({ id: z.string(), attributes: z.record(z.unknown()) })),
  links: z.record(z.unknown()).optional(),
});

/** The seed's "none" webhook as flags, pointed at `url`. */
const seedFlags = (url: string) => [
  '--description',
  'Test webhook',
  '--url',
  url,
  '--event-types',
  'use_case_review_status_updated',
  '--event-type-prefix',
  'CredoAI',
  '--event-type-suffix',
  'v1',
  '--environment',
  'production',
  '--authentication-method',
  'none',
];

describe('herald webhooks', () => {
  it("creates the seed's test webhook from flags, and `webhooks test` reaches a listener, verified", async () => {
    const port = await freePort();
    const created = createdDocument.parse(
      await heraldJson(['webhooks', 'create', ...seedFlags(`http://127.0.0.1:${port}/hook`)]),
    );
    expect(created.data.attributes).toMatchObject({
      description: 'Test webhook',
      event_types: ['use_case_review_status_updated'],
      event_type_prefix: 'CredoAI',
      event_type_suffix: 'v1',
      environment: 'production',
      authentication_method: 'none',
    });
    const listener = await listen([
      '--json',
      '--secret',
      created.data.attributes.signing_secret,
      '--port',
      String(port),
    ]);

    const sent = await herald(['webhooks', 'test', created.data.id]);
    expect(sent.code).toBe(0);
    const deliveryId = sent.stdout.match(/delivery (msg_\S+)/)?.[1];
    expect(deliveryId).toBeDefined();
    const seen = deliveryLine.parse(
      await until(() => listener.deliveries()[0], { what: 'the test delivery' }),
    );
    expect(seen).toMatchObject({
      webhook_id: deliveryId,
      type: 'CredoAI.use_case_review_status_updated.v1',
      verified: true,
    });
    listener.started.child.kill('SIGTERM');
  });

  it("creates the seed's OAuth webhook from a body file, and prints the API's warning-free document", async () => {
    writeFileSync(join(dir, 'oauth.json'), JSON.stringify(seedBodies.oAuth));
    const created = createdDocument.parse(await heraldJson(['webhooks', 'create', '--file', 'oauth.json']));
    expect(created.data.attributes).toMatchObject({
      authentication_method: 'o_auth',
      authentication_server: 'https://auth.example.com',
      has_authentication_payload: true,
    });
    // A flag over the file's attribute.
    const overridden = createdDocument.parse(
      await heraldJson([
        'webhooks',
        'create',
        '--file',
        'oauth.json',
        '--description',
        'From the file, renamed',
      ]),
    );
    expect(overridden.data.attributes.description).toBe('From the file, renamed');
  });

  it('lists, pages, reads, updates, disables, enables and deletes', async () => {
    const ids = [];
    for (const n of [1, 2]) {
      const run = createdDocument.parse(
        await heraldJson(['webhooks', 'create', ...seedFlags(`https://example.com/${n}`)]),
      );
      ids.push(run.data.id);
    }
    const [id] = ids;
    if (!id) throw new Error('no webhook');

    const all = listDocument.parse(await heraldJson(['webhooks', 'list', '--all', '--page-size', '1']));
    expect(all.data.map((w) => w.id)).toEqual(expect.arrayContaining(ids));
    const page = await herald(['webhooks', 'list', '--page-size', '1']);
    expect(page.stdout).toMatch(/^ID\s+DESCRIPTION\s+URL\s+EVENT TYPES\s+ENVIRONMENT\s+STATUS\n/);
    expect(page.stdout).toMatch(/More: --after \S+ \(or --all\)/);

    expect(webhookDocument.parse(await heraldJson(['webhooks', 'get', id])).data.id).toBe(id);
    const shown = await herald(['webhooks', 'get', id]);
    expect(shown.stdout).toMatch(/delivered type\s+CredoAI\.<event_type>\.v1/);

    const updated = webhookDocument.parse(
      await heraldJson(['webhooks', 'update', id, '--description', 'Renamed']),
    );
    expect(updated.data.attributes.description).toBe('Renamed');

    const disabled = webhookDocument.parse(
      await heraldJson(['webhooks', 'disable', id, '--reason', 'maintenance']),
    );
    expect(disabled.data.attributes).toMatchObject({ status: 'disabled', disabled_reason: 'maintenance' });
    expect((await herald(['webhooks', 'enable', id])).stdout).toBe(`Enabled ${id}.\n`);
    expect(webhookDocument.parse(await heraldJson(['webhooks', 'get', id])).data.attributes.status).toBe(
      'enabled',
    );

    expect(await herald(['webhooks', 'delete', id])).toMatchObject({ code: 0, stdout: `Deleted ${id}.\n` });
    const gone = await herald(['webhooks', 'get', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^Error 404 \S+: /);
  });

  it('reads and rotates the signing secret', async () => {
    const created = createdDocument.parse(
      await heraldJson(['webhooks', 'create', ...seedFlags('https://example.com/s')]),
    );
    const { id } = created.data;
    const secret = z
      .object({
        data: z.object({ attributes: z.object({ key: z.string(), previous_keys: z.array(z.unknown()) }) }),
      })
      .parse(await heraldJson(['webhooks', 'secret', id]));
    expect(secret.data.attributes).toEqual({
      key: created.data.attributes.signing_secret,
      previous_keys: [],
    });

    const rotated = z
      .object({
        data: z.object({ attributes: z.object({ key: z.string(), previous_key_expires_at: z.string() }) }),
      })
      .parse(await heraldJson(['webhooks', 'rotate-secret', id, '--grace-period', '60']));
    expect(rotated.data.attributes.key).not.toBe(created.data.attributes.signing_secret);
    const after = await herald(['webhooks', 'secret', id]);
    expect(after.stdout).toContain(rotated.data.attributes.key);
    expect(after.stdout).toMatch(/previous 1\s+signs until \S+/);
  });

  it("prints the API's errors with their pointers on stderr and exits 1; --json prints them as the API sent them", async () => {
    const bad = [
      'webhooks',
      'create',
      ...seedFlags('https://example.com/x'),
      '--event-types',
      'order_created',
    ];
    const run = await herald(bad);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^Error 422 unknown_event_type: .*order_created.* \(at \/data\/attributes\/event_types\/1\)$/m,
    );
    const asJson = await herald(['--json', ...bad]);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stderr)).toEqual({
      errors: [
        expect.objectContaining({
          status: '422',
          code: 'unknown_event_type',
          source: { pointer: '/data/attributes/event_types/1' },
        }),
      ],
    });
  });

  it('exits 2 without an API key, and 3 when the API is not there', async () => {
    const noKey = await herald(['webhooks', 'list'], { HERALD_API_KEY: '', HERALD_TENANT: 'acme' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('No API key: set HERALD_API_KEY or pass --api-key');
    const url = `http://127.0.0.1:${await freePort()}`;
    const away = await herald(['webhooks', 'list', '--api-url', url]);
    expect(away.code).toBe(3);
    expect(away.stderr).toContain(`Could not reach Herald at ${url}`);
  });
});

describe('herald deliveries and event-types', () => {
  it('lists, filters, reads, retries and recovers the deliveries of a failing webhook', async () => {
    const failing = await listen(['--status', '503']);
    const created = createdDocument.parse(
      await heraldJson([
        'webhooks',
        'create',
        ...seedFlags(`${failing.url}/hook`),
        '--event-types',
        'use_case_name_updated',
      ]),
    );
    const { id } = created.data;
    const since = new Date(Date.now() - 1000).toISOString();
    await herald(['webhooks', 'test', id, '--event-type', 'use_case_name_updated']);
    // The retry schedule here is 1s,1s: three attempts, then failed.
    const failed = await until(
      async () => {
        const page = listDocument.parse(await heraldJson(['deliveries', 'list', id, '--status', 'failed']));
        return page.data[0];
      },
      { what: 'a failed delivery' },
    );
    expect(failed.attributes).toMatchObject({ status: 'failed', attempt_count: 3, last_status_code: 503 });
    const none = listDocument.parse(await heraldJson(['deliveries', 'list', id, '--status', 'succeeded']));
    expect(none.data).toEqual([]);
    const table = await herald([
      'deliveries',
      'list',
      id,
      '--event-type',
      'use_case_name_updated',
      '--since',
      since,
    ]);
    expect(table.stdout).toMatch(new RegExp(`${failed.id}\\s+use_case_name_updated\\s+failed\\s+3\\s+503`));

    const one = await herald(['deliveries', 'get', id, failed.id]);
    expect(one.stdout).toMatch(/^1\s+\S+\s+test\s+failed\s+503/m);
    expect(one.stdout).toContain('"type": "CredoAI.use_case_name_updated.v1"');

    expect((await herald(['deliveries', 'retry', id, failed.id])).stdout).toBe(
      `Queued ${failed.id} again.\n`,
    );
    await until(
      async () => {
        const detail = z
          .object({
            data: z.object({
              attributes: z.object({ attempts: z.array(z.object({ trigger: z.string() })) }),
            }),
          })
          .parse(await heraldJson(['deliveries', 'get', id, failed.id]));
        return detail.data.attributes.attempts.some((a) => a.trigger === 'retry') ? true : undefined;
      },
      { what: 'the retried attempt' },
    );
    const status = await until(
      async () => {
        const page = listDocument.parse(await heraldJson(['deliveries', 'list', id]));
        return page.data[0]?.attributes.status === 'failed' ? 'failed' : undefined;
      },
      { what: 'the retry to fail again' },
    );
    expect(status).toBe('failed');

    const recovered = z
      .object({ data: z.object({ attributes: z.object({ queued: z.number() }) }) })
      .parse(await heraldJson(['deliveries', 'recover', id, '--since', since]));
    expect(recovered.data.attributes.queued).toBe(1);
    const badFilter = await herald(['deliveries', 'list', id, '--since', 'yesterday']);
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr).toMatch(/^Error 400 .*\(at \?filter\[since\]\)$/m);
    failing.started.child.kill('SIGTERM');
  });

  it('prints the catalog, with examples on request', async () => {
    const catalog = z
      .object({
        data: z.array(z.object({ attributes: z.object({ name: z.string(), deprecated: z.boolean() }) })),
      })
      .parse(await heraldJson(['event-types']));
    expect(catalog.data.map((t) => t.attributes.name)).toContain('use_case_review_status_updated');
    expect(catalog.data.map((t) => t.attributes.name)).toContain('webhook.failing');
    const people = await herald(['event-types']);
    expect(people.stdout).toMatch(/use_case_governance_status_updated \(deprecated\)/);
    const examples = await herald(['event-types', '--examples']);
    expect(examples.stdout).toContain('"reviewId": "pu7BDgxfVnK4RTQyb88uL"');
  });
});

describe('herald portal', () => {
  it('prints a session link whose token does what it was given, and revoke ends it', async () => {
    const opened = await herald(['portal', '--read-only', '--expires-in', '600', '--name', 'Credo AI']);
    expect(opened.code).toBe(0);
    const link = opened.stdout.trim();
    expect(link).toMatch(new RegExp(`^${local.herald.apiUrl}/portal/#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(opened.stderr).toMatch(/may read$/m);
    const token = link.split('#token=')[1] ?? '';
    const asSession = (method: string) =>
      fetch(`${local.herald.apiUrl}/api/v2/demo/webhooks`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' },
        body: method === 'POST' ? JSON.stringify(seedBodies.none) : undefined,
      });
    expect((await asSession('GET')).status).toBe(200);
    expect((await asSession('POST')).status).toBe(403);
    const revoked = await herald(['portal', 'revoke']);
    expect(revoked.code).toBe(0);
    expect((await asSession('GET')).status).toBe(401);
  });

  it('answers the session as JSON for scripts, and a bad option as the API refuses it', async () => {
    const session = z
      .object({ data: z.object({ attributes: z.object({ capabilities: z.array(z.string()) }) }) })
      .parse(await heraldJson(['portal', 'open', '--capabilities', 'read', 'secrets']));
    expect(session.data.attributes.capabilities).toEqual(['read', 'secrets']);
    const bad = await herald(['portal', '--accent-color', 'red']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('(at /data/attributes/theme/accent_color)');
  });
});
