import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { useLocalHerald } from './support/local';
import { root } from './support/process';
import { until } from './support/wait';

/**
 * The README as a newcomer follows it: its "first five minutes" run command by command through
 * the real `herald` bin against local mode, ending in verified deliveries on the inbox page's
 * inbox; and every file it links exists. The one liberty: local mode here listens on a port of
 * its own, put where the README says 127.0.0.1:3000.
 */
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'herald-readme-'));
const local = useLocalHerald('readme', { dataDir: dir });

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The README's `npx herald …` commands, in order, continuation lines joined. */
function heraldCommands(text: string): string[] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx herald '));
}

/** Splits a command line as sh does for these (words, double-quoted strings). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'cli', 'herald.mjs'), ...args],
      {
        cwd: dir,
        env: {
          ...process.env,
          NO_COLOR: '1',
          HERALD_API_URL: local.herald.apiUrl,
          HERALD_API_KEY: local.herald.demoApiKey,
          HERALD_EVENTS_URL: local.herald.eventsUrl,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? z.object({ code: z.number() }).parse(error).code : 0, stdout, stderr }),
    );
  });
}

const inboxSchema = z.object({
  deliveries: z.array(
    z.object({
      event_type: z.string().nullable(),
      verification: z.object({ status: z.string() }),
    }),
  ),
});

describe('the README', () => {
  it('shows a first five minutes that works: create, test, publish, list, and both deliveries verified in the inbox', async () => {
    const commands = heraldCommands(readme);
    expect(commands.map((c) => words(c).slice(2, 4).join(' '))).toEqual([
      'webhooks create',
      'webhooks test',
      'publish use_case_review_status_updated',
      'deliveries list',
    ]);
    let webhookId: string | undefined;
    for (const command of commands) {
      const args = words(command)
        .slice(2)
        .map((word) => word.replace('http://127.0.0.1:3000', local.herald.apiUrl))
        .map((word) => (word === 'wh_...' ? (webhookId ?? word) : word));
      const result = await run(['--json', ...args]);
      expect({ command, code: result.code, stderr: result.stderr }).toEqual({ command, code: 0, stderr: '' });
      if (args[0] === 'webhooks' && args[1] === 'create') {
        webhookId = z.object({ data: z.object({ id: z.string() }) }).parse(JSON.parse(result.stdout)).data.id;
      }
    }
    const inbox = await until(
      async () => {
        const res = await fetch(`${local.herald.apiUrl}/inbox/demo`);
        const { deliveries } = inboxSchema.parse(await res.json());
        return deliveries.length >= 2 ? deliveries : undefined;
      },
      { what: 'the test event and the published event in the inbox' },
    );
    expect(inbox.map((d) => d.verification.status)).toEqual(['verified', 'verified']);
    expect(inbox.map((d) => d.event_type)).toEqual([
      'CredoAI.use_case_review_status_updated.v1',
      'CredoAI.use_case_review_status_updated.v1',
    ]);
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)]
      .map((m) => m[1] ?? '')
      .filter((link) => !/^https?:/.test(link));
    expect(links.length).toBeGreaterThan(5);
    for (const link of links)
      expect({ link, exists: existsSync(join(root, link)) }).toEqual({ link, exists: true });
  });

  it('fits on two screens', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(120);
  });
});
