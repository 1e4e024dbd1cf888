import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/emulators';
import { resourceOf } from './support/api';
import { useLocalHerald } from './support/local';
import { root, type Started, startProcess } from './support/process';
import { until } from './support/wait';

/**
 * docs/receiving.md's receivers, run as written: each code block with a `title=` is saved to a
 * file, started with a port and the webhook's secret, and sent the seed's test event through local
 * mode. Each must print the delivery once (a retry of it included: it deduplicates), answer 2xx so
 * the log says `succeeded`, and refuse a forged request with 401.
 */
const guide = readFileSync(join(root, 'docs', 'receiving.md'), 'utf8');
const blocks = [...guide.matchAll(/```(\w+) title=(\S+)\n([\s\S]*?)```/g)].map(
  ([, language, title, code]) => ({
    language: language ?? '',
    title: title ?? '',
    code: code ?? '',
  }),
);
const hasPython = spawnSync('python3', ['--version']).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'herald-receiving-'));
// The TypeScript receivers import standardwebhooks and svix as a reader's project would.
symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
const local = useLocalHerald('receiving', { dataDir: dir, retrySchedule: '1s,1s' });
const { api, createWebhook } = local;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(language: string, file: string, env: Record<string, string>): Started {
  const [command, args]: [string, string[]] =
    language === 'python'
      ? ['python3', ['-u', file]]
      : // tsx as a loader, not its CLI: the CLI runs the file in a child of its own, which a kill
        // of the CLI would leave running.
        [process.execPath, ['--import', 'tsx', file]];
  return startProcess(command, args, { cwd: dir, env: { ...process.env, ...env } });
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
      const webhook = await createWebhook({ url: `http://127.0.0.1:${port}/webhook` });
      const receiver = run(block.language, block.title, {
        PORT: String(port),
        HERALD_SIGNING_SECRET: webhook.secret,
      });
      try {
        await until(listening(port), { what: `${block.title} to listen`, everyMs: 100 });
        const deliveryId = await local.sendTest(webhook.id, 'use_case_review_status_updated');
        const line = `received CredoAI.use_case_review_status_updated.v1 ${deliveryId}`;
        await until(() => (receiver.output().includes(line) ? true : undefined), {
          what: `${block.title} to print`,
          everyMs: 100,
        });
        const delivery = async () =>
          resourceOf(await api('GET', `/webhooks/${webhook.id}/deliveries/${deliveryId}`)).attributes;
        await until(async () => ((await delivery()).status === 'succeeded' ? true : undefined), {
          what: 'succeeded',
          everyMs: 100,
        });

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
        await until(async () => ((await delivery()).attempt_count === 2 ? true : undefined), {
          what: 'the retry',
          everyMs: 100,
        });
        await until(async () => ((await delivery()).status === 'succeeded' ? true : undefined), {
          what: 'succeeded again',
          everyMs: 100,
        });
        const printed = receiver.output().split(line).length - 1;
        expect(printed).toBe(block.title === 'receiver-svix.ts' ? 2 : 1);
      } finally {
        receiver.child.kill('SIGKILL');
      }
    },
    60_000,
  );
});
