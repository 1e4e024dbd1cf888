import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../local/emulators';
import { seedBodies, webhookBody } from '../helpers';
import { attributesOf, request, resourceOf } from './support/api';
import { processesWith, root, type Started, startProcess, waitForOutput } from './support/process';
import { until } from './support/wait';

/**
 * What a newcomer types first, on a fresh copy of the repository: plain `npm start` (no
 * `--memory`, no HERALD_API_KEY), Ctrl-C, and `npm start` again onto the data it kept. Every
 * other test runs local mode in memory, which is how a data-directory bug once hid from CI.
 */
/** The working tree as a clone would have it (tracked and new files, nothing ignored), plus node_modules. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-fresh-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f.length > 0 && f !== 'node_modules' && existsSync(join(root, f)));
  for (const file of files) {
    if (!statSync(join(root, file)).isFile()) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function npmStart(cwd: string, env: Record<string, string>): Started {
  const { HERALD_API_KEY: _given, ...inherited } = process.env;
  // Its own process group, so Ctrl-C can be sent as a terminal sends it: to npm and its children.
  return startProcess('npm', ['start'], {
    cwd,
    env: { ...inherited, HERALD_LOG_LEVEL: 'WARN', ...env },
    detached: true,
  });
}

const waitFor = (started: Started, pattern: RegExp) => waitForOutput(started, pattern, 60_000);

/**
 * Ctrl-C as a terminal sends it, to the whole group. npm itself dies of the signal (as it does in
 * a terminal); what matters is that Herald stopped cleanly and took its emulators with it.
 */
async function ctrlC(started: Started): Promise<void> {
  const dynamoPort = started.output().match(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
  expect(dynamoPort).toBeDefined();
  if (started.child.pid) process.kill(-started.child.pid, 'SIGINT');
  expect([0, 'SIGINT']).toContain(await started.exited);
  await waitFor(started, /SIGINT: stopping Herald local mode/);
  await until(() => (processesWith(`-port ${dynamoPort}`).length === 0 ? true : undefined), {
    ms: 10_000,
    everyMs: 100,
  }).catch(() => undefined);
  expect(processesWith(`-port ${dynamoPort}`)).toEqual([]);
}

describe('npm start on a fresh clone', () => {
  let dir: string;
  const running: Started[] = [];

  beforeAll(() => {
    dir = freshCopy();
  });
  afterAll(() => {
    for (const s of running) {
      if (s.child.exitCode === null && s.child.signalCode === null && s.child.pid) {
        try {
          process.kill(-s.child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes up with no flags, keeps its data under .herald/, and restarts onto it with the same key', async () => {
    // A retry an hour away: a delivery to a closed port is still `retrying` when local mode stops.
    const env = {
      PORT: String(await freePort()),
      EVENTS_PORT: String(await freePort()),
      HERALD_RETRY_SCHEDULE: '1h',
    };
    const apiUrl = `http://127.0.0.1:${env.PORT}`;

    const first = npmStart(dir, env);
    running.push(first);
    await waitFor(first, /ready \(\d+ ms\)/);
    const key = (await waitFor(first, /API key\s+(hrld_\S+)/))[1] ?? '';
    /** The demo tenant's webhooks, with the key the first start made. */
    const webhooks = (method: string, path: string, body?: unknown) =>
      request(apiUrl, method, `/api/v2/demo/webhooks${path}`, { key, body });
    expect(first.output()).toContain('kept in .herald/demo-api-key');
    // No ui/dist in a clone: the first start builds the UI, and serves the inbox page from it.
    expect(first.output()).toContain('built the UI (ui/dist)');
    expect(first.output()).toMatch(new RegExp(`Inbox\\s+${apiUrl}/inbox\\n`));
    const page = await fetch(`${apiUrl}/inbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Herald inbox</title>');
    expect(existsSync(join(dir, '.herald', 'dynamodb'))).toBe(true);
    const created = await webhooks('POST', '', seedBodies.none);
    expect(created.status).toBe(201);
    const data = resourceOf(created);

    const unreachable = await webhooks('POST', '', webhookBody({ url: 'http://127.0.0.1:1/closed' }));
    const down = resourceOf(unreachable);
    const test = await webhooks('POST', `/${down.id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    const queued = resourceOf(test);
    const delivery = async () =>
      resourceOf(await webhooks('GET', `/${down.id}/deliveries/${queued.id}`)).attributes;
    await until(async () => ((await delivery()).status === 'retrying' ? true : undefined), {
      ms: 20_000,
      everyMs: 100,
    }).catch(() => undefined);
    expect((await delivery()).status).toBe('retrying');
    await ctrlC(first);

    const second = npmStart(dir, env);
    running.push(second);
    await waitFor(second, /ready \(\d+ ms\)/);
    expect(second.output()).toContain(`${key}   (kept in .herald/demo-api-key`);
    expect(second.output()).not.toContain('built the UI');
    const read = await webhooks('GET', `/${data.id}`);
    expect(read.status).toBe(200);
    expect(resourceOf(read).attributes.description).toBe(seedBodies.none.data.attributes.description);

    // The queue did not survive the restart, the log did: the delivery waiting for its retry is
    // failed (said at start), so recovery finds it instead of it waiting forever.
    expect(second.output()).toContain('1 deliveries were queued when local mode last stopped');
    const stranded = await delivery();
    expect(stranded.status).toBe('failed');
    const recovered = await webhooks('POST', `/${down.id}/recover`, {
      data: { attributes: { since: stranded.created_at } },
    });
    expect(recovered.status).toBe(202);
    expect(attributesOf(recovered).queued).toBe(1);
    await ctrlC(second);
  }, 180_000);
});
