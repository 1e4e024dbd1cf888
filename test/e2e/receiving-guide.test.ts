import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/emulators';
import { type LocalHerald, startLocalHerald } from '../../local/herald';
import { emulatorEndpoints, seedBodies, uniqueName } from '../helpers';

/**
 * docs/receiving.md's receivers, run as written: each code block with a `title=` is saved to a
 * file, started with a port and the webhook's secret, and sent the seed's test event through local
 * mode. Each must print the delivery once (a retry of it included: it deduplicates), answer 2xx so
 * the log says `succeeded`, and refuse a forged request with 401.
 */
const root = join(__dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'receiving.md'), 'utf8');
const blocks = [...guide.matchAll(/```(\w+) title=(\S+)\n([\s\S]*?)```/g)].map(
  ([, language, title, code]) => ({
    language: language ?? '',
    title: title ?? '',
    code: code ?? '',
  }),
);
const hasPython = spawnSync('python3', ['--version']).status === 0;

let herald: LocalHerald;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-receiving-'));
  // The TypeScript receivers import standardwebhooks and svix as a reader's project would.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const { dynamoDb, sqs } = emulatorEndpoints();
  herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: dir,
    dynamoDbEndpoint: dynamoDb,
    sqsEndpoint: sqs,
    tableName: uniqueName('herald-receiving'),
    queuePrefix: uniqueName('receiving'),
    retrySchedule: '1s,1s',
    logLevel: 'ERROR',
  });
});

afterAll(async () => {
  await herald?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; doc: Json }> {
  const res = await fetch(`${herald.apiUrl}/api/v2/demo${path}`, {
    method,
    headers: { Authorization: `Bearer ${herald.demoApiKey}`, 'Content-Type': 'application/vnd.api+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, doc: text ? JSON.parse(text) : {} };
}

interface Running {
  child: ChildProcess;
  output: () => string;
}

function run(language: string, file: string, env: Record<string, string>): Running {
  const [command, args]: [string, string[]] =
    language === 'python'
      ? ['python3', ['-u', file]]
      : // tsx as a loader, not its CLI: the CLI runs the file in a child of its own, which a kill
        // of the CLI would leave running.
        [process.execPath, ['--import', 'tsx', file]];
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { child, output: () => text };
}

async function until<T>(
  find: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const listening = (port: number) => async () => {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { method: 'GET' });
    return true;
  } catch {
    return undefined;
  }
};

describe('docs/receiving.md', () => {
  it('has the three receivers the guide promises', () => {
    expect(blocks.map((b) => b.title)).toEqual(['receiver.ts', 'receiver-svix.ts', 'receiver.py']);
  });

  it.each(blocks.filter((b) => b.language !== 'python' || hasPython).map((b) => [b.title, b] as const))(
    '%s verifies and acknowledges a real delivery once, and refuses a forged one',
    async (_title, block) => {
      writeFileSync(join(dir, block.title), block.code);
      const port = await freePort();
      const body = structuredClone(seedBodies.none) as { data: { attributes: Json } };
      body.data.attributes.url = `http://127.0.0.1:${port}/webhook`;
      const created = await api('POST', '/webhooks', body);
      expect(created.status).toBe(201);
      const webhook = created.doc.data as { id: string; attributes: Json };
      const receiver = run(block.language, block.title, {
        PORT: String(port),
        HERALD_SIGNING_SECRET: String(webhook.attributes.signing_secret),
      });
      try {
        await until(listening(port), `${block.title} to listen`);
        const test = await api('POST', `/webhooks/${webhook.id}/test`, {
          data: { attributes: { event_type: 'use_case_review_status_updated' } },
        });
        expect(test.status).toBe(202);
        const deliveryId = (test.doc.data as { id: string }).id;
        const line = `received CredoAI.use_case_review_status_updated.v1 ${deliveryId}`;
        await until(() => (receiver.output().includes(line) ? true : undefined), `${block.title} to print`);
        const delivery = async () => {
          const { doc } = await api('GET', `/webhooks/${webhook.id}/deliveries/${deliveryId}`);
          return (doc.data as { attributes: { status: string; attempt_count: number } }).attributes;
        };
        await until(async () => ((await delivery()).status === 'succeeded' ? true : undefined), 'succeeded');

        // A forged request (right headers, wrong signature) is refused and not acted on.
        const forged = await fetch(`http://127.0.0.1:${port}/webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': 'msg_forged',
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': 'v1,Zm9yZ2Vk',
            'svix-id': 'msg_forged',
            'svix-timestamp': String(Math.floor(Date.now() / 1000)),
            'svix-signature': 'v1,Zm9yZ2Vk',
          },
          body: JSON.stringify({ type: 'forged' }),
        });
        expect(forged.status).toBe(401);
        expect(receiver.output()).not.toContain('forged');

        // Sent again with the same webhook-id: the receivers that deduplicate print it once.
        const retried = await api('POST', `/webhooks/${webhook.id}/deliveries/${deliveryId}/retry`);
        expect(retried.status).toBe(202);
        await until(async () => ((await delivery()).attempt_count === 2 ? true : undefined), 'the retry');
        await until(
          async () => ((await delivery()).status === 'succeeded' ? true : undefined),
          'succeeded again',
        );
        const printed = receiver.output().split(line).length - 1;
        expect(printed).toBe(block.title === 'receiver-svix.ts' ? 2 : 1);
      } finally {
        receiver.child.kill('SIGKILL');
      }
    },
    60_000,
  );
});
