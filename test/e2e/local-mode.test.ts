import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../local/emulators';
import { seedBodies } from '../helpers';

/** `npm start` as a developer runs it: a real process, its banner, its API, and Ctrl-C. */
const root = join(__dirname, '..', '..');
const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, args: string[] = ['--memory']): Started {
  const child = spawn(process.execPath, [tsxCli, 'local/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, HERALD_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function waitFor(started: Started, pattern: RegExp, ms = 45_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const match = started.output().match(pattern);
    if (match) return match;
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Did not see ${pattern} in:\n${started.output()}`);
}

/** Processes still running that were started for this port (DynamoDB Local or fauxqs). */
function emulatorProcesses(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker));
}

describe('npm start', () => {
  it('starts, prints every endpoint and the key, serves the seed request, and stops cleanly on Ctrl-C', async () => {
    const [port, eventsPort] = [await freePort(), await freePort()];
    const key = 'hrld_localtest_0123456789abcdefghijklmnopqrstuvwxyz';
    const started = start({ PORT: String(port), EVENTS_PORT: String(eventsPort), HERALD_API_KEY: key });
    const ready = await waitFor(started, /ready \((\d+) ms\)/);
    expect(Number(ready[1])).toBeGreaterThan(0);
    const banner = started.output();
    expect(banner).toContain(`http://127.0.0.1:${port}/api/v2/demo/webhooks`);
    expect(banner).toContain(`http://127.0.0.1:${eventsPort}`);
    expect(banner).toContain('bus "herald", source "CredoAI"');
    expect(banner).not.toContain(key);
    const dynamoPort = banner.match(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
    expect(dynamoPort).toBeDefined();

    // Local mode allows http and loopback targets, so a receiver on this machine can be used.
    const body = structuredClone(seedBodies.none) as { data: { attributes: Record<string, unknown> } };
    body.data.attributes.url = 'http://127.0.0.1:9999/webhook';
    const res = await fetch(`http://127.0.0.1:${port}/api/v2/demo/webhooks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);

    expect(emulatorProcesses(`-port ${dynamoPort}`)).toHaveLength(1);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(emulatorProcesses(`-port ${dynamoPort}`)).toEqual([]);
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
