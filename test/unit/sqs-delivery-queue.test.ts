import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsDeliveryQueue } from '../../functions/adapters/aws/sqs-delivery-queue';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';

// aws-sdk-client-mock: the emulator cannot be made to fail single entries of a batch on demand.
const sqsMock = mockClient(SQSClient);
/** SQS's limit on a SendMessageBatch request: the sum of its message bodies. */
const maxBatchBytes = 1_048_576;
const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-deliveries';

function message(i: number): DeliveryMessage {
  const webhookId = `wh_${String(i).padStart(4, '0')}`;
  return {
    deliveryId: deliveryIdFor('evt-1', webhookId, '2026-03-01T11:59:58Z'),
    eventId: 'evt-1',
    eventType: 'use_case_review_status_updated',
    tenant: 'acme',
    environment: 'production',
    webhookId,
    time: '2026-03-01T11:59:58Z',
    source: 'CredoAI',
    data: { reviewId: 'pu7BDgxfVnK4RTQyb88uL', status: 'in_progress', useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9' },
  };
}

const messages = (n: number): DeliveryMessage[] => Array.from({ length: n }, (_, i) => message(i));

function batchInputs(): SendMessageBatchCommandInput[] {
  return sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
}

const entriesOf = (input: SendMessageBatchCommandInput | undefined): SendMessageBatchRequestEntry[] =>
  input?.Entries ?? [];

function queueWithSleeps(): { queue: SqsDeliveryQueue; sleeps: number[] } {
  const sleeps: number[] = [];
  const queue = new SqsDeliveryQueue(new SQSClient({ region: 'us-east-1' }), queueUrl, async (ms) => {
    sleeps.push(ms);
  });
  return { queue, sleeps };
}

beforeEach(() => {
  sqsMock.reset();
});

describe('SqsDeliveryQueue', () => {
  it('sends 25 deliveries as three batches of 10, 10 and 5 to the queue', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const { queue, sleeps } = queueWithSleeps();
    const sent = messages(25);

    await queue.enqueue(sent);

    const inputs = batchInputs();
    expect(inputs.map((input) => entriesOf(input).length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    for (const input of inputs) {
      expect(input.QueueUrl).toBe(queueUrl);
      const ids = entriesOf(input).map((e) => e.Id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    }
    const bodies = inputs.flatMap((input) => entriesOf(input).map((e) => e.MessageBody));
    expect([...bodies].sort()).toEqual(sent.map((m) => JSON.stringify(m)).sort());
    expect(sleeps).toEqual([]);
  });

  it('puts every delivery message on the queue as its JSON, readable back', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const { queue } = queueWithSleeps();
    const sent = messages(3);
    await queue.enqueue(sent);
    const bodies = entriesOf(batchInputs()[0]).map((e) => JSON.parse(e.MessageBody ?? 'null') as unknown);
    expect(bodies).toEqual(sent);
  });

  it('makes no call for no deliveries', async () => {
    const { queue } = queueWithSleeps();
    await queue.enqueue([]);
    expect(batchInputs()).toEqual([]);
  });

  it('sends again only the entries SQS failed, then succeeds', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [
          { Id: '3', SenderFault: false, Code: 'InternalError' },
          { Id: '7', SenderFault: false, Code: 'ServiceUnavailable' },
        ],
      })
      .resolves({ Successful: [], Failed: [] });
    const { queue, sleeps } = queueWithSleeps();
    const sent = messages(10);

    await queue.enqueue(sent);

    const inputs = batchInputs();
    expect(inputs).toHaveLength(2);
    expect(entriesOf(inputs[0])).toHaveLength(10);
    expect(entriesOf(inputs[1])).toEqual([
      { Id: '3', MessageBody: JSON.stringify(sent[3]) },
      { Id: '7', MessageBody: JSON.stringify(sent[7]) },
    ]);
    expect(sleeps).toHaveLength(1);
  });

  it('fails the call, naming how many were refused, when entries keep failing after the bounded attempts', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [
        { Id: '0', SenderFault: false, Code: 'InternalError' },
        { Id: '1', SenderFault: false, Code: 'InternalError' },
      ],
    });
    const { queue, sleeps } = queueWithSleeps();

    await expect(queue.enqueue(messages(5))).rejects.toThrow(
      /SQS refused 2 of 2 deliveries \(InternalError\)/,
    );

    const inputs = batchInputs();
    expect(inputs).toHaveLength(4);
    expect(entriesOf(inputs[0])).toHaveLength(5);
    for (const input of inputs.slice(1)) expect(entriesOf(input).map((e) => e.Id)).toEqual(['0', '1']);
    // Backs off between attempts, longer each time.
    expect(sleeps).toHaveLength(3);
    expect(sleeps).toEqual([...sleeps].sort((a, b) => a - b));
    expect(new Set(sleeps).size).toBe(3);
  });

  it('fails at once, without retrying, when SQS says the sender is at fault', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '4', SenderFault: true, Code: 'InvalidParameterValue' }],
    });
    const { queue, sleeps } = queueWithSleeps();

    await expect(queue.enqueue(messages(10))).rejects.toThrow(
      /SQS refused 1 of 10 deliveries \(InvalidParameterValue\)/,
    );
    expect(batchInputs()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('fails when the SDK throws', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('socket hang up'));
    const { queue } = queueWithSleeps();
    await expect(queue.enqueue(messages(12))).rejects.toThrow('socket hang up');
  });

  it('fails the whole call when one batch of several fails', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      // The last batch of 21 deliveries is the only one with a single entry.
      if (entriesOf(input).length === 1) throw new Error('throttled');
      return { Successful: [], Failed: [] };
    });
    const { queue } = queueWithSleeps();
    await expect(queue.enqueue(messages(21))).rejects.toThrow('throttled');
    expect(batchInputs()).toHaveLength(3);
  });

  it("keeps every batch within SQS's 1 MiB request limit, so an event with large data still fans out", async () => {
    // SQS refuses a whole SendMessageBatch whose bodies add up to more than 1 MiB (fauxqs too):
    // BatchRequestTooLong, a thrown error rather than failed entries.
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      const bytes = entriesOf(input).reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0);
      if (bytes > maxBatchBytes) {
        throw Object.assign(new Error(`Batch requests cannot be longer than ${maxBatchBytes} bytes.`), {
          name: 'BatchRequestTooLong',
        });
      }
      return { Successful: [], Failed: [] };
    });
    const { queue } = queueWithSleeps();
    // 120 KB of data: a legal platform event (EventBridge allows 256 KB), to ten webhooks.
    const large = messages(10).map((m) => ({ ...m, data: { ...m.data, comment: 'x'.repeat(120_000) } }));

    await expect(queue.enqueue(large)).resolves.toBeUndefined();

    const bodies = batchInputs().flatMap((input) => entriesOf(input).map((e) => e.MessageBody));
    expect([...bodies].sort()).toEqual(large.map((m) => JSON.stringify(m)).sort());
  });
});
