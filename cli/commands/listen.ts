import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { type Context, globalsOf } from '../context';
import { lazy } from '../lazy';
import { type Colors, UsageError } from '../output';

/**
 * `herald listen`: a receiver on loopback that prints each delivery as it arrives (event type,
 * `webhook-id`, whether the signature verifies, the body), answering the status it is told to, so
 * a developer can watch deliveries and rehearse failures without writing an endpoint.
 */

/** The default port: beside local mode's 3000 (API) and 4010 (PutEvents). */
export const defaultListenPort = 4000;

/** A body bigger than this is not a Herald delivery (the API caps payloads far below it). */
const maxBodyBytes = 1024 * 1024;

/** One request as `herald listen --json` prints it: a JSON line. */
export interface SeenDelivery {
  received_at: string;
  method: string;
  path: string;
  webhook_id: string | null;
  webhook_timestamp: string | null;
  /** The envelope's `type` (`[prefix.]event_type[.suffix]`), when the body is an envelope. */
  type: string | null;
  /** Whether a signature in `webhook-signature` verifies with a given secret; `null`: no secret given. */
  verified: boolean | null;
  /** Why it did not verify. */
  verify_error?: string;
  /** The status this receiver answered. */
  answered: number;
  headers: Record<string, string>;
  /** The body: parsed when it is JSON, else the text. */
  body: unknown;
}

/** Verifiers for `secrets` (`whsec_...`); refuses one that is not a Standard Webhooks secret. */
export function verifiersFor(
  secrets: string[],
): Array<{ verify(body: string, headers: Record<string, string>): unknown }> {
  const { Webhook } = lazy.standardWebhooks();
  return secrets.map((secret) => {
    try {
      return new Webhook(secret);
    } catch {
      throw new UsageError(`--secret ${secret.slice(0, 10)}... is not a signing secret (whsec_<base64>).`);
    }
  });
}

/** Node's headers as plain strings (repeated headers joined, as `fetch` does). */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const envelopeType = z.object({ type: z.string() });

/**
 * What a request was: its Standard Webhooks headers, the envelope's type, and whether the signature
 * verifies with any of `verifiers` (any: during a rotation the receiver may hold either secret).
 */
export function describeDelivery(
  request: { method: string; path: string; headers: IncomingHttpHeaders; body: string },
  verifiers: ReturnType<typeof verifiersFor>,
  answered: number,
  receivedAt: Date,
): SeenDelivery {
  const headers = flatHeaders(request.headers);
  let body: unknown = request.body;
  try {
    body = JSON.parse(request.body);
  } catch {
    // Not JSON: shown as the text it is.
  }
  let verified: boolean | null = null;
  let verifyError: string | undefined;
  if (verifiers.length > 0) {
    verified = false;
    for (const verifier of verifiers) {
      try {
        verifier.verify(request.body, headers);
        verified = true;
        verifyError = undefined;
        break;
      } catch (error) {
        verifyError = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return {
    received_at: receivedAt.toISOString(),
    method: request.method,
    path: request.path,
    webhook_id: headers['webhook-id'] ?? null,
    webhook_timestamp: headers['webhook-timestamp'] ?? null,
    type: envelopeType.safeParse(body).data?.type ?? null,
    verified,
    ...(verifyError === undefined ? {} : { verify_error: verifyError }),
    answered,
    headers,
    body,
  };
}

/** A delivery as a person reads it: one summary line, then the headers that matter and the body. */
export function formatDelivery(seen: SeenDelivery, c: Colors): string {
  const signature =
    seen.verified === null
      ? c.dim('signature not checked')
      : seen.verified
        ? c.green('signature verified')
        : c.red(`signature NOT verified${seen.verify_error ? ` (${seen.verify_error})` : ''}`);
  const status = seen.answered < 300 ? c.green(String(seen.answered)) : c.red(String(seen.answered));
  const summary = [
    c.dim(seen.received_at),
    c.bold(seen.type ?? `${seen.method} ${seen.path}`),
    seen.webhook_id ?? c.dim('no webhook-id'),
    signature,
    `answered ${status}`,
  ].join('  ');
  const timestamp = Number(seen.webhook_timestamp);
  const lines = [summary];
  if (seen.webhook_timestamp !== null)
    lines.push(
      `  ${c.dim('webhook-timestamp')} ${seen.webhook_timestamp}${Number.isFinite(timestamp) ? ` (${new Date(timestamp * 1000).toISOString()})` : ''}`,
    );
  const body = typeof seen.body === 'string' ? seen.body : JSON.stringify(seen.body, null, 2);
  lines.push(body.replace(/^/gm, '  '), '');
  return lines.join('\n');
}

const optionsSchema = z.object({
  port: z.number(),
  secret: z.array(z.string()),
  status: z.number(),
});

function integerIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${what} is a whole number from ${min} to ${max}.`);
    return n;
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`Port ${port} is in use: pass --port with another (0 for any free port).`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function listen(context: Context, command: Command): Promise<void> {
  const options = optionsSchema.parse(command.opts());
  const asJson = globalsOf(command).json === true;
  const verifiers = verifiersFor(options.secret);
  const { output } = context;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on('end', () => {
      const answered = size > maxBodyBytes ? 413 : options.status;
      response
        .writeHead(answered, { 'Content-Type': 'text/plain' })
        .end(`herald listen answered ${answered}\n`);
      const seen = describeDelivery(
        {
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        },
        verifiers,
        answered,
        new Date(),
      );
      output.out(asJson ? JSON.stringify(seen) : formatDelivery(seen, output.color));
    });
  });

  const port = await listenOn(server, options.port);
  const url = `http://127.0.0.1:${port}`;
  const checking =
    verifiers.length > 0
      ? `checking signatures with ${verifiers.length} secret(s)`
      : 'signatures not checked';
  // With --json, stdout holds only deliveries (one JSON line each); the address goes to stderr.
  const say = asJson ? output.err : output.out;
  say(`Listening on ${url} (answering ${options.status}; ${checking}). Ctrl-C stops.`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function listenCommand(context: Context): Command {
  return new Command('listen')
    .description('receive deliveries on loopback and print each one as it arrives')
    .option(
      '--port <port>',
      `the port on 127.0.0.1 (0 for a free port)`,
      integerIn(0, 65535, '--port'),
      defaultListenPort,
    )
    .option(
      '--secret <whsec>',
      "the webhook's signing secret, to verify signatures (repeat it for a rotation's old and new)",
      collect,
      [],
    )
    .option(
      '--status <code>',
      'the status to answer every request with (e.g. 500 to rehearse failures)',
      integerIn(100, 599, '--status'),
      200,
    )
    .addHelpText(
      'after',
      `
Prints "Listening on http://127.0.0.1:PORT" first (on stderr with --json), then each request: the
envelope's type, webhook-id, webhook-timestamp, whether the signature verifies ("not checked"
without --secret), the status answered, and the body. With --json, one JSON line per request:
{"received_at","method","path","webhook_id","webhook_timestamp","type","verified","verify_error"?,
 "answered","headers","body"}. Point a webhook's url at the printed address (local mode allows it).

Examples:
  herald listen --secret whsec_...           # then: herald webhooks test <id>
  herald listen --port 0 --json | jq .type
  herald listen --status 500                 # watch Herald retry, then: herald deliveries list <id>`,
    )
    .action((_options: unknown, command: Command) => listen(context, command));
}
