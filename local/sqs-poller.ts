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
  /** Batches handled at once. @default 2 */
  concurrency?: number;
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
      // A FIFO queue's, as Lambda passes them on: the batch handler orders by group.
      ...(attributes.MessageGroupId === undefined
        ? {}
        : {
            MessageGroupId: attributes.MessageGroupId,
            MessageDeduplicationId: attributes.MessageDeduplicationId,
            SequenceNumber: attributes.SequenceNumber,
          }),
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

  async function pollOnce(): Promise<void> {
    const { Messages = [] } = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    if (Messages.length === 0) return;
    const records = Messages.map((m) => toRecord(m, options.queueArn));
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

  async function loop(): Promise<void> {
    while (running) {
      try {
        await pollOnce();
      } catch (error) {
        if (!running) return;
        options.log(`polling ${options.queueUrl} failed: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  const loops = Array.from({ length: options.concurrency ?? 2 }, () => loop());
  return {
    async stop() {
      running = false;
      abort.abort();
      await Promise.all(loops);
    },
  };
}
