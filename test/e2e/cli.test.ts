import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { freePort } from '../../local/emulators';
import { version } from '../../package.json';
import { seedReviewData } from '../helpers';
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

  it.each([['publish'], ['listen'], ['keys'], ['keys', 'create']])(
    'prints help for %s',
    async (...command) => {
      const run = await herald([...command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: herald ${command.join(' ')}`);
      // The global flags are listed under every command.
      expect(run.stdout).toContain('--api-url');
    },
  );

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
