import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../local/emulators';
import { seedBodies } from '../helpers';

/**
 * What a newcomer types first, on a fresh copy of the repository: plain `npm start` (no
 * `--memory`, no HERALD_API_KEY), Ctrl-C, and `npm start` again onto the data it kept. Every
 * other test runs local mode in memory, which is how a data-directory bug once hid from CI.
 */
const root = join(__dirname, '..', '..');

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

interface Started {
  child: ChildProcess;
  output: () => string;
  /** The exit code, or the signal that ended the process. */
  exited: Promise<number | string | null>;
}

function npmStart(cwd: string, env: Record<string, string>): Started {
  const { HERALD_API_KEY: _given, ...inherited } = process.env;
  // Its own process group, so Ctrl-C can be sent as a terminal sends it: to npm and its children.
  const child = spawn('npm', ['start'], {
    cwd,
    env: { ...inherited, HERALD_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  const keep = (c: Buffer) => {
    text += c.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, output: () => text, exited };
}

async function waitFor(started: Started, pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const match = started.output().match(pattern);
    if (match) return match;
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Did not see ${pattern} in:\n${started.output()}`);
}

/** Processes still running that were started for this port (DynamoDB Local). */
function processesWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker));
}

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
  const deadline = Date.now() + 10_000;
  while (processesWith(`-port ${dynamoPort}`).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
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
    const auth = (key: string) => ({
      Authorization: `Bearer ${key}`,
      'Content-Type': 'application/vnd.api+json',
    });
    const api = `http://127.0.0.1:${env.PORT}/api/v2/demo/webhooks`;

    const first = npmStart(dir, env);
    running.push(first);
    await waitFor(first, /ready \(\d+ ms\)/);
    const key = (await waitFor(first, /API key\s+(hrld_\S+)/))[1] ?? '';
    expect(first.output()).toContain('kept in .herald/demo-api-key');
    expect(existsSync(join(dir, '.herald', 'dynamodb'))).toBe(true);
    const created = await fetch(api, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify(seedBodies.none),
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { id: string } };

    const closed = structuredClone(seedBodies.none) as { data: { attributes: Record<string, unknown> } };
    closed.data.attributes.url = 'http://127.0.0.1:1/closed';
    const unreachable = await fetch(api, {
      method: 'POST',
      headers: auth(key),
      body: JSON.stringify(closed),
    });
    const { data: down } = (await unreachable.json()) as { data: { id: string } };
    const test = await fetch(`${api}/${down.id}/test`, {
      method: 'POST',
      headers: auth(key),
      body: JSON.stringify({ data: { attributes: { event_type: 'use_case_name_updated' } } }),
    });
    const { data: queued } = (await test.json()) as { data: { id: string } };
    const delivery = async () => {
      const res = await fetch(`${api}/${down.id}/deliveries/${queued.id}`, { headers: auth(key) });
      return ((await res.json()) as { data: { attributes: { status: string; created_at: string } } }).data
        .attributes;
    };
    const deadline = Date.now() + 20_000;
    while ((await delivery()).status !== 'retrying' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect((await delivery()).status).toBe('retrying');
    await ctrlC(first);

    const second = npmStart(dir, env);
    running.push(second);
    await waitFor(second, /ready \(\d+ ms\)/);
    expect(second.output()).toContain(`${key}   (kept in .herald/demo-api-key`);
    const read = await fetch(`${api}/${data.id}`, { headers: { Authorization: `Bearer ${key}` } });
    expect(read.status).toBe(200);
    const body = (await read.json()) as { data: { attributes: { description: string } } };
    expect(body.data.attributes.description).toBe(seedBodies.none.data.attributes.description);

    // The queue did not survive the restart, the log did: the delivery waiting for its retry is
    // failed (said at start), so recovery finds it instead of it waiting forever.
    expect(second.output()).toContain('1 deliveries were queued when local mode last stopped');
    const stranded = await delivery();
    expect(stranded.status).toBe('failed');
    const recovered = await fetch(`${api}/${down.id}/recover`, {
      method: 'POST',
      headers: auth(key),
      body: JSON.stringify({ data: { attributes: { since: stranded.created_at } } }),
    });
    expect(recovered.status).toBe(202);
    const counts = ((await recovered.json()) as { data: { attributes: { queued: number } } }).data.attributes;
    expect(counts.queued).toBe(1);
    await ctrlC(second);
  }, 180_000);
});
