import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defaultRetrySchedule } from '../../functions/domain/retry';
import { pipelineQueues } from '../../functions/shared/pipeline';
import { settingsFromContext } from '../../lib/config';
import { HeraldStack } from '../../lib/herald-stack';
import { localAwsConfig } from '../../local/emulators';
import { ensureQueues } from '../../local/resources';
import { emulatorEndpoints, uniqueName } from '../helpers';

/**
 * Local mode's queues against the stack's: both are made from functions/shared/pipeline.ts, and
 * this compares what each actually made (fauxqs's attributes with the synthesized template), so a
 * value copied by hand into either side fails here.
 */
interface QueueProperties {
  VisibilityTimeout?: number;
  MessageRetentionPeriod?: number;
  RedrivePolicy?: { maxReceiveCount: number };
}

function stackQueues(): QueueProperties[] {
  const app = new App({ builtinCloudFormationValidation: false });
  const template = Template.fromStack(
    new HeraldStack(app, 'Herald', { settings: settingsFromContext(app.node) }),
  );
  return Object.values(template.findResources('AWS::SQS::Queue')).map(
    (r) => (r as { Properties: QueueProperties }).Properties,
  );
}

describe('local mode’s queues', () => {
  it('have the visibility timeout, retention and redrive of the stack’s', async () => {
    const sqs = new SQSClient({
      ...localAwsConfig,
      endpoint: emulatorEndpoints().sqs,
      useQueueUrlAsEndpoint: false,
    });
    const urls = await ensureQueues(
      sqs,
      uniqueName('pipeline'),
      pipelineQueues({ retrySchedule: defaultRetrySchedule, deliveryTimeoutMs: 15_000 }),
    );
    const local: QueueProperties[] = [];
    for (const url of Object.values(urls)) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
      );
      local.push({
        ...(Attributes.VisibilityTimeout && Attributes.RedrivePolicy
          ? { VisibilityTimeout: Number(Attributes.VisibilityTimeout) }
          : {}),
        MessageRetentionPeriod: Number(Attributes.MessageRetentionPeriod),
        ...(Attributes.RedrivePolicy
          ? {
              RedrivePolicy: {
                maxReceiveCount: Number(JSON.parse(Attributes.RedrivePolicy).maxReceiveCount),
              },
            }
          : {}),
      });
    }
    const deployed = stackQueues().map((q) => ({
      ...(q.VisibilityTimeout !== undefined ? { VisibilityTimeout: q.VisibilityTimeout } : {}),
      MessageRetentionPeriod: q.MessageRetentionPeriod,
      ...(q.RedrivePolicy ? { RedrivePolicy: { maxReceiveCount: q.RedrivePolicy.maxReceiveCount } } : {}),
    }));
    const order = (qs: QueueProperties[]) => qs.map((q) => JSON.stringify(q)).sort();
    expect(order(local)).toEqual(order(deployed));
    // The delivery queue is among them, with the derived values (4 × 15 s + 5 s, six times over).
    expect(order(local)).toContain(
      JSON.stringify({
        VisibilityTimeout: 390,
        MessageRetentionPeriod: 1_209_600,
        RedrivePolicy: { maxReceiveCount: defaultRetrySchedule.length + 4 },
      }),
    );
    sqs.destroy();
  }, 60_000);
});
