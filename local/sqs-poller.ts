import { setMaxListeners } from 'node:events';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './api-gateway';

/**
 * What Lambda's SQS event source mapping does, in one process: long-poll a queue, hand batches to
 * the handler, delete what succeeded and leave the reported failures (whose visibility the
 * handler may have changed) for SQS to deliver again or dead-letter.
 */
export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;
  functionName: string;
  log: (line: string) => void;
  /** @default 10 */
  batchSize?: number;
  /** Most batches handled at once (the event source's maximum concurrency). @default 2 */
  concurrency?: number;
  /**
   * How the batches at once grow to `concurrency`, as Lambda scales an SQS event source
   * (`deliveryEventSourceScaling` in functions/shared/pipeline.ts): `initial` pollers, one more
   * whenever a receive comes back full (a backlog), at most one per 60,000 / `addedPerMinute` ms
   * (a full receive sooner adds one when that time is up); a poller beyond `initial` stops when
   * its receive comes back empty. @default all of `concurrency` from the start
   */
  scaling?: { initial: number; addedPerMinute: number };
  /** Each receive's long poll. @default 1 */
  waitTimeSeconds?: number;
  /**
   * The function's timeout, as Lambda enforces it: the handler sees the time left in its context,
   * and a batch still running at the end counts as a failed invocation. @default 30000
   */
  timeoutMs?: number;
}

export interface SqsPoller {
  stop(): Promise<void>;
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  let running = true;
  const abort = new AbortController();
  // Every poller's long poll listens on this one signal: more than Node's default of 10 is expected.
  setMaxListeners(2 * (options.concurrency ?? 2) + 10, abort.signal);

  const batchSize = options.batchSize ?? 10;
  const concurrency = options.concurrency ?? 2;
  const initial = Math.min(concurrency, options.scaling?.initial ?? concurrency);
  const addEveryMs = options.scaling ? 60_000 / options.scaling.addedPerMinute : 0;
  let lastAdded = Date.now();

  /** Receives and handles one batch; says how many messages the receive returned. */
  async function pollOnce(): Promise<number> {
    const { Messages = [] } = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    if (Messages.length === 0) return 0;
    // A full batch means a backlog: scale up before handling it, as Lambda's pollers do.
    if (Messages.length === batchSize) scaleUp();
    await handle(Messages);
    return Messages.length;
  }

  async function handle(messages: Message[]): Promise<void> {
    const records = messages.map((m) => toRecord(m, options.queueArn));
    let failed: Set<string>;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const context = {
      ...lambdaContext(options.functionName),
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([
        options.handler({ Records: records }, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)),
            timeoutMs,
          );
        }),
      ]);
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      // A failed invocation returns the whole batch to the queue.
      options.log(`${options.functionName} failed on a batch of ${records.length}: ${String(error)}`);
      return;
    } finally {
      clearTimeout(timer);
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }

  const loops = new Set<Promise<void>>();

  /** One poller: receive, handle, repeat. Pollers beyond the initial ones retire on an empty receive. */
  async function loop(extra: boolean): Promise<void> {
    while (running) {
      try {
        const received = await pollOnce();
        if (extra && received === 0) return;
      } catch (error) {
        if (!running) return;
        options.log(`polling ${options.queueUrl} failed: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  function start(extra: boolean): void {
    const promise = loop(extra).finally(() => loops.delete(promise));
    loops.add(promise);
  }

  let pendingAdd: NodeJS.Timeout | undefined;

  /** Adds a poller now, or as soon as the rate allows: a backlog seen meanwhile must not be forgotten. */
  function scaleUp(): void {
    if (!running || loops.size >= concurrency || pendingAdd) return;
    const wait = lastAdded + addEveryMs - Date.now();
    if (wait <= 0) {
      lastAdded = Date.now();
      start(true);
      return;
    }
    pendingAdd = setTimeout(() => {
      pendingAdd = undefined;
      scaleUp();
    }, wait);
  }

  for (let i = 0; i < initial; i++) start(false);
  return {
    async stop() {
      running = false;
      clearTimeout(pendingAdd);
      abort.abort();
      while (loops.size > 0) await Promise.all([...loops]);
    },
  };
}
