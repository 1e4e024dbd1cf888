import { createServer, type Server } from 'node:http';
import { freePort } from '../../local/emulators';
import { webhookBody } from '../helpers';
import { request } from './support/api';
import { processesWith, root, type Started, startProcess, tsxCli, waitForOutput } from './support/process';
import { sleep } from './support/wait';

/** `npm start` as a developer runs it: a real process, its banner, its API, and Ctrl-C. */
function start(env: Record<string, string>, args: string[] = ['--memory']): Started {
  return startProcess(process.execPath, [tsxCli, 'local/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, HERALD_LOG_LEVEL: 'WARN', ...env },
  });
}

describe('npm start', () => {
  it('starts, prints every endpoint and the key, serves the seed request, and stops cleanly on Ctrl-C', async () => {
    const [port, eventsPort] = [await freePort(), await freePort()];
    const key = 'hrld_localtest_0123456789abcdefghijklmnopqrstuvwxyz';
    const started = start({ PORT: String(port), EVENTS_PORT: String(eventsPort), HERALD_API_KEY: key });
    const ready = await waitForOutput(started, /ready \((\d+) ms\)/, 45_000);
    expect(Number(ready[1])).toBeGreaterThan(0);
    const banner = started.output();
    expect(banner).toContain(`http://127.0.0.1:${port}/api/v2/demo/webhooks`);
    expect(banner).toContain(`http://127.0.0.1:${eventsPort}`);
    expect(banner).toContain('bus "herald", source "CredoAI"');
    // A ready-made portal session link for the demo tenant (opened in test/e2e/portal.test.ts).
    expect(banner).toMatch(
      new RegExp(`Portal +http://127\\.0\\.0\\.1:${port}/portal/#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+\n`),
    );
    expect(banner).not.toContain(key);
    const dynamoPort = banner.match(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
    expect(dynamoPort).toBeDefined();

    // Local mode allows http and loopback targets, so a receiver on this machine can be used.
    const res = await request(`http://127.0.0.1:${port}`, 'POST', '/api/v2/demo/webhooks', {
      key,
      body: webhookBody({ url: 'http://127.0.0.1:9999/webhook' }),
    });
    expect(res.status).toBe(201);

    expect(processesWith(`-port ${dynamoPort}`)).toHaveLength(1);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    await sleep(500);
    expect(processesWith(`-port ${dynamoPort}`)).toEqual([]);
  }, 90_000);

  it('says which port is busy instead of printing a stack trace', async () => {
    const busy: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', () => r()));
    try {
      const started = start({ PORT: String(port), EVENTS_PORT: String(await freePort()) });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`Port ${port} (the API, set PORT to change it) is already in use`);
      expect(started.output()).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  }, 60_000);

  it('says that Java is missing when it is', async () => {
    const started = start({
      PATH: '/nonexistent',
      PORT: String(await freePort()),
      EVENTS_PORT: String(await freePort()),
    });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('Java was not found');
  }, 60_000);

  it('refuses an unknown flag with the usage', async () => {
    const started = start({}, ['--bogus']);
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('Unknown argument --bogus');
  }, 60_000);
});
