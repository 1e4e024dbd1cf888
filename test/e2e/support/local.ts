import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../../../local/emulators';
import { type LocalHerald, type LocalHeraldOptions, startLocalHerald } from '../../../local/herald';
import { runKeys } from '../../../scripts/keys';
import { emulatorEndpoints, uniqueName, webhookBody } from '../../helpers';
import { type Api, type ApiResponse, type RequestOptions, request, resourceOf } from './api';

/**
 * Local mode for one e2e file: started in-process before its tests on the emulators the global
 * setup runs, with a table, queues and data directory of its own, and stopped after them. Also the
 * calls every file makes on it: the API as a tenant, webhooks, test events, and `PutEvents`.
 */

export const busName = 'herald';
export const eventSource = 'CredoAI';

/** Starts local mode named `name` (in its table, queue and directory names), with `overrides`. */
export async function startLocal(
  name: string,
  overrides: Partial<LocalHeraldOptions> = {},
): Promise<LocalHerald> {
  const { dynamoDb, sqs } = emulatorEndpoints();
  return startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), `herald-${name}-`)),
    busName,
    eventSource,
    allowPrivateTargets: true,
    dynamoDbEndpoint: dynamoDb,
    sqsEndpoint: sqs,
    tableName: uniqueName(`herald-${name}`),
    queuePrefix: uniqueName(name),
    logLevel: 'ERROR',
    ...overrides,
  });
}

export interface Tenant {
  tenant: string;
  key: string;
  keyId: string;
  /** The tenant's routes (paths below `/api/v2/{tenant}`) with its key. */
  api: Api;
}

export interface LocalSession {
  /** The running local mode; only inside a test or hook. */
  readonly herald: LocalHerald;
  /** The API from its root (`/auth/exchange`, `/api/v2/acme/…`); no key unless given. */
  root(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** The demo tenant's routes (paths below `/api/v2/demo`, or a whole URL: a `links.next`) with its key. */
  api: Api;
  /** `tenant`'s routes with `key`. */
  tenantApi(tenant: string, key: string): Api;
  /** A key for `tenant`, made with `npm run keys` as an operator does. */
  createKey(tenant: string): Promise<{ key: string; keyId: string }>;
  /** A new tenant of its own, with a key. */
  newTenant(): Promise<Tenant>;
  /** Revokes a key with `npm run keys`, as an operator does. */
  revokeKey(tenant: string, keyId: string): Promise<void>;
  /** Creates the seed's "none" webhook with `attributes` over it (expecting 201). */
  createWebhook(attributes?: Record<string, unknown>, api?: Api): Promise<{ id: string; secret: string }>;
  /** Queues a test event (expecting 202) and answers its delivery id, the receiver's `webhook-id`. */
  sendTest(webhookId: string, eventType?: string, api?: Api): Promise<string>;
  /** Sends `entries` to local mode's `PutEvents` endpoint through the AWS SDK. */
  putEvents(entries: PutEventsRequestEntry[]): Promise<PutEventsCommandOutput>;
  /** An SQS client for local mode's queues (`herald.queues`). */
  readonly sqs: SQSClient;
  /**
   * Receives from `queueUrl` (long polls of 1 s, at most `polls` of them) until a message body
   * satisfies `match`; answers it, or `undefined` when none came.
   */
  findMessage(queueUrl: string, match: (body: string) => boolean, polls: number): Promise<string | undefined>;
  /** Publishes one platform event on the bus (expecting it accepted); answers EventBridge's event id. */
  publish(detailType: string, detail: Record<string, unknown>, options?: { time?: Date }): Promise<string>;
}

/** Local mode for this file: registers `beforeAll` to start it and `afterAll` to stop it. */
export function useLocalHerald(name: string, overrides: Partial<LocalHeraldOptions> = {}): LocalSession {
  let running: LocalHerald | undefined;
  beforeAll(async () => {
    running = await startLocal(name, overrides);
  });
  afterAll(async () => {
    await running?.stop();
  });
  const herald = (): LocalHerald => {
    if (!running) throw new Error('Local mode starts in beforeAll: use it inside a test or hook.');
    return running;
  };
  const scoped =
    (prefix: string, key: () => string): Api =>
    (method, path, body, options = {}) =>
      request(herald().apiUrl, method, path.startsWith('http') ? path : `${prefix}${path}`, {
        key: key(),
        ...options,
        body,
      });
  const api = scoped('/api/v2/demo', () => herald().demoApiKey);

  const createKey = async (tenant: string) => {
    const lines: string[] = [];
    const target = ['--table', herald().tableName, '--endpoint', herald().dynamoDbEndpoint];
    await runKeys(['create', tenant, ...target], (line) => lines.push(line));
    const text = lines.join('\n');
    const key = text.match(/(hrld_\S+)/)?.[1];
    const keyId = text.match(/key (key_\S+) for/)?.[1];
    if (!key || !keyId) throw new Error(`keys create printed no key: ${text}`);
    return { key, keyId };
  };

  let events: EventBridgeClient | undefined;
  const putEvents = (entries: PutEventsRequestEntry[]) => {
    events ??= new EventBridgeClient({ ...localAwsConfig, endpoint: herald().eventsUrl, maxAttempts: 1 });
    return events.send(new PutEventsCommand({ Entries: entries }));
  };

  let sqs: SQSClient | undefined;
  const sqsClient = () => {
    sqs ??= new SQSClient({
      ...localAwsConfig,
      endpoint: herald().sqsEndpoint,
      useQueueUrlAsEndpoint: false,
    });
    return sqs;
  };

  return {
    get herald() {
      return herald();
    },
    get sqs() {
      return sqsClient();
    },
    async findMessage(queueUrl, match, polls) {
      for (let i = 0; i < polls; i++) {
        const { Messages = [] } = await sqsClient().send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        const found = Messages.map((m) => m.Body ?? '').find(match);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    root: (method, path, options) => request(herald().apiUrl, method, path, options),
    api,
    tenantApi: (tenant, key) => scoped(`/api/v2/${tenant}`, () => key),
    createKey,
    async revokeKey(tenant: string, keyId: string) {
      const target = ['--table', herald().tableName, '--endpoint', herald().dynamoDbEndpoint];
      await runKeys(['revoke', tenant, keyId, ...target], () => undefined);
    },
    async newTenant() {
      // No dash: a plain name, like the platform's tenants.
      const tenant = uniqueName('t').replace('-', '');
      const { key, keyId } = await createKey(tenant);
      return { tenant, key, keyId, api: scoped(`/api/v2/${tenant}`, () => key) };
    },
    async createWebhook(attributes = {}, on = api) {
      const res = await on('POST', '/webhooks', webhookBody(attributes));
      expect(res.status).toBe(201);
      const { id, attributes: created } = resourceOf(res);
      return { id, secret: String(created.signing_secret) };
    },
    async sendTest(webhookId, eventType = 'use_case_name_updated', on = api) {
      const res = await on('POST', `/webhooks/${webhookId}/test`, {
        data: { attributes: { event_type: eventType } },
      });
      expect(res.status).toBe(202);
      return resourceOf(res).id;
    },
    putEvents,
    async publish(detailType, detail, options = {}) {
      const out = await putEvents([
        {
          EventBusName: busName,
          Source: eventSource,
          DetailType: detailType,
          Time: options.time,
          Detail: JSON.stringify(detail),
        },
      ]);
      expect(out.FailedEntryCount).toBe(0);
      return out.Entries?.[0]?.EventId ?? '';
    },
  };
}
