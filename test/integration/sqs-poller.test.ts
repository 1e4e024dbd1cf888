import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../../local/emulators';
import { startSqsPoller } from '../../local/sqs-poller';
import { sleep, until } from '../e2e/support/wait';
import { emulatorEndpoints, uniqueName } from '../helpers';

/**
 * Local mode's SQS poller against fauxqs: batches at once grow from the initial pollers while
 * receives come back full, up to the maximum and never past it, and every message is handled
 * and deleted.
 */
const sqs = new SQSClient({
  ...localAwsConfig,
  endpoint: emulatorEndpoints().sqs,
  useQueueUrlAsEndpoint: false,
});
afterAll(() => sqs.destroy());

it('scales from the initial pollers to the maximum batches in flight on a backlog, never more', async () => {
  const name = uniqueName('poller');
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const messages = 200;
  for (let i = 0; i < messages; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, k) => ({ Id: String(k), MessageBody: String(i + k) })),
      }),
    );
  }
  const maximum = 8;
  let inFlight = 0;
  let most = 0;
  const sizes: number[] = [];
  // Batches are held until the maximum has been in flight at once; then every batch goes through.
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const handled = new Set<string>();
  const poller = startSqsPoller({
    client: sqs,
    queueUrl: QueueUrl,
    queueArn: `arn:aws:sqs:${localAwsConfig.region}:000000000000:${name}`,
    functionName: 'poller-test',
    log: () => undefined,
    concurrency: maximum,
    scaling: { initial: 2, addedPerMinute: 6_000 },
    handler: async (event) => {
      inFlight++;
      most = Math.max(most, inFlight);
      sizes.push(event.Records.length);
      await gate;
      for (const record of event.Records) handled.add(record.body);
      inFlight--;
      return { batchItemFailures: [] };
    },
  });
  try {
    // The first batches: the initial pollers' only, until a full batch makes room for more.
    await until(() => (inFlight === maximum ? true : undefined), {
      ms: 20_000,
      what: `${maximum} batches in flight`,
    });
    open();
    await until(() => (handled.size === messages ? true : undefined), {
      ms: 30_000,
      what: 'every message handled',
    });
    expect(most).toBe(maximum);
    expect(sizes.every((n) => n <= 10)).toBe(true);
    // Handled ones are deleted: nothing is left visible or in flight.
    const attributes = await until(
      async () => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return Attributes.ApproximateNumberOfMessagesNotVisible === '0' ? Attributes : undefined;
      },
      { ms: 10_000, what: 'the deletes' },
    );
    expect(attributes.ApproximateNumberOfMessages).toBe('0');
  } finally {
    await poller.stop();
  }
}, 60_000);

it('adds pollers no faster than its rate: at one a minute, the initial two stay alone on a backlog', async () => {
  const name = uniqueName('poller-rate');
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const messages = 50;
  for (let i = 0; i < messages; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, k) => ({ Id: String(k), MessageBody: String(i + k) })),
      }),
    );
  }
  let inFlight = 0;
  let most = 0;
  let done = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const poller = startSqsPoller({
    client: sqs,
    queueUrl: QueueUrl,
    queueArn: `arn:aws:sqs:${localAwsConfig.region}:000000000000:${name}`,
    functionName: 'poller-test',
    log: () => undefined,
    concurrency: 8,
    scaling: { initial: 2, addedPerMinute: 1 },
    handler: async (event) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate;
      inFlight--;
      done += event.Records.length;
      return { batchItemFailures: [] };
    },
  });
  try {
    await until(() => (inFlight === 2 ? true : undefined), { ms: 20_000, what: '2 batches in flight' });
    // Full batches ask for more pollers, but the next may come only a minute after the start.
    await sleep(500);
    expect(inFlight).toBe(2);
    open();
    await until(() => (done === messages ? true : undefined), { ms: 30_000, what: 'every message handled' });
    expect(most).toBe(2);
  } finally {
    await poller.stop();
  }
}, 60_000);
