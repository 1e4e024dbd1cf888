import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DeliveryMessage, parseDeliveryMessage } from '../../domain/delivery';
import type { DeadLetteredDelivery, DeadLetterSource } from '../../domain/ports';

/**
 * The delivery dead-letter queue, read by recovery. SQS cannot filter by webhook, so this reads
 * through a bounded number of messages, keeps the webhook's (hidden for `holdSeconds` while
 * recovery decides) and releases every other one at once.
 */
export class SqsDeadLetterSource implements DeadLetterSource {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly holdSeconds = 60,
  ) {}

  async take(
    tenant: string,
    webhookId: string,
    maxMessages: number,
  ): Promise<{ deliveries: DeadLetteredDelivery[]; scanned: number }> {
    const deliveries: DeadLetteredDelivery[] = [];
    let scanned = 0;
    // Each receive shows a sample of the queue; stop at the bound or at the first empty answer.
    while (scanned < maxMessages) {
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, maxMessages - scanned),
          VisibilityTimeout: this.holdSeconds,
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) break;
      scanned += Messages.length;
      const others: Message[] = [];
      for (const m of Messages) {
        const message = parse(m.Body);
        if (message && message.tenant === tenant && message.webhookId === webhookId && m.ReceiptHandle) {
          deliveries.push(this.held(message, m.ReceiptHandle));
        } else {
          others.push(m);
        }
      }
      await this.releaseAll(others);
    }
    return { deliveries, scanned };
  }

  private held(message: DeliveryMessage, receiptHandle: string): DeadLetteredDelivery {
    return {
      message,
      remove: async () => {
        await this.client.send(
          new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }),
        );
      },
      release: async () => {
        await this.client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.queueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      },
    };
  }

  private async releaseAll(messages: Message[]): Promise<void> {
    const entries = messages
      .filter((m) => m.ReceiptHandle)
      .map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 }));
    if (entries.length === 0) return;
    await this.client.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
    );
  }
}

function parse(body: string | undefined): DeliveryMessage | undefined {
  if (!body) return undefined;
  try {
    return parseDeliveryMessage(JSON.parse(body));
  } catch {
    return undefined;
  }
}
