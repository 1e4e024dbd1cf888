import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeliveryMessage } from '../../domain/delivery';
import type { DeliveryQueue, RejectedEvent, RejectedEventSink } from '../../domain/ports';
import { orderedGroupId } from '../../shared/pipeline';

/**
 * Deliveries onto SQS: `SendMessageBatch` in tens (fewer when the bodies are large), several batches in flight, and entries SQS
 * refused sent again a few times before the whole call fails (so EventBridge retries the event;
 * receivers dedupe on `webhook-id` if some deliveries were already queued).
 */
const batchSize = 10;
/** SQS refuses a batch whose bodies add up to more than 1 MiB; stay clear of it. */
const batchBytes = 1_000_000;

type Entry = Omit<SendMessageBatchRequestEntry, 'Id'>;

/** Groups entries into batches of at most ten and at most `batchBytes` each. */
function toBatches(entries: Entry[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const body = entry.MessageBody ?? '';
    const size = Buffer.byteLength(body, 'utf8');
    if (current.length === batchSize || (current.length > 0 && bytes + size > batchBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ ...entry, Id: String(current.length) });
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
const batchesInFlight = 8;
const entryAttempts = 4;

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    /**
     * A FIFO queue: each message in its webhook's group, deduplicated on its delivery id (an
     * event the router handles twice within five minutes is queued once).
     */
    private readonly fifo = false,
  ) {}

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    const batches = toBatches(
      messages.map((m) =>
        this.fifo
          ? {
              MessageBody: JSON.stringify(m),
              MessageGroupId: orderedGroupId(m.tenant, m.webhookId),
              MessageDeduplicationId: m.deliveryId,
            }
          : { MessageBody: JSON.stringify(m) },
      ),
    );
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch) await this.sendBatch(batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(batchesInFlight, batches.length) }, worker));
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; ; attempt++) {
      const out = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
      );
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      if (failed.size === 0) return;
      const senderFault = (out.Failed ?? []).find((f) => f.SenderFault);
      if (senderFault || attempt >= entryAttempts) {
        throw new Error(
          `SQS refused ${failed.size} of ${pending.length} deliveries (${senderFault?.Code ?? out.Failed?.[0]?.Code ?? 'unknown'})`,
        );
      }
      pending = pending.filter((e) => failed.has(e.Id));
      await this.sleep(50 * 2 ** attempt);
    }
  }
}

/** Refused events onto their own queue, where an operator can read them (14 days). */
export class SqsRejectedEventSink implements RejectedEventSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async keep(rejected: RejectedEvent): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(rejected) }),
    );
  }
}
