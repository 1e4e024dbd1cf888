import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnRule, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { routerRulePattern } from '../../functions/domain/event-pattern';
import { defaultRetrySchedule, parseRetrySchedule } from '../../functions/domain/retry';
import {
  deliveryEventSource,
  deliveryTimings,
  pipelineQueues,
  type QueueName,
  queueRetentionSeconds,
  routerRetryPolicy,
} from '../../functions/shared/pipeline';
import { functionEnvironment, type HeraldSettings } from '../config';
import { HeraldFunction } from './function';

export interface EventPipelineProps {
  readonly settings: HeraldSettings;
  readonly bus: IEventBus;
  readonly table: ITable;
}

/**
 * Events to deliveries: the bus rule (the same pattern local mode applies) and its archive, the
 * router, the delivery queue with its dead-letter queue, and the delivery function fed by it.
 */
export class EventPipeline extends Construct {
  readonly deliveryQueue: Queue;
  readonly deadLetterQueue: Queue;
  /** Deliveries to webhooks with `ordering: fifo`, one message group per webhook. */
  readonly orderedDeliveryQueue: Queue;
  readonly orderedDeadLetterQueue: Queue;
  readonly rejectedEvents: Queue;
  readonly routerDeadLetters: Queue;
  readonly router: HeraldFunction;
  readonly delivery: HeraldFunction;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    const { settings } = props;
    const logRetention = settings.logRetentionDays as RetentionDays;
    const schedule = settings.retrySchedule
      ? parseRetrySchedule(settings.retrySchedule)
      : defaultRetrySchedule;
    const timings = deliveryTimings(settings.deliveryTimeoutMs);
    const queues = pipelineQueues({ retrySchedule: schedule, deliveryTimeoutMs: settings.deliveryTimeoutMs });
    const queue = (id: string, name: QueueName, deadLetterQueue?: Queue) => {
      const description = queues[name];
      return new Queue(this, id, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.seconds(queueRetentionSeconds),
        visibilityTimeout:
          description.visibilityTimeoutSeconds === undefined
            ? undefined
            : Duration.seconds(description.visibilityTimeoutSeconds),
        deadLetterQueue:
          description.redrive && deadLetterQueue
            ? { queue: deadLetterQueue, maxReceiveCount: description.redrive.maxReceiveCount }
            : undefined,
        ...(description.fifo
          ? {
              fifo: true,
              // The router gives each message its delivery id; throughput and deduplication per
              // webhook (high-throughput mode), not 300 messages a second for the whole queue.
              contentBasedDeduplication: false,
              deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
              fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            }
          : {}),
      });
    };

    this.deadLetterQueue = queue('DeliveryDeadLetters', 'deadLetters');
    this.deliveryQueue = queue('Deliveries', 'deliveries', this.deadLetterQueue);
    this.orderedDeadLetterQueue = queue('OrderedDeliveryDeadLetters', 'orderedDeadLetters');
    this.orderedDeliveryQueue = queue('OrderedDeliveries', 'orderedDeliveries', this.orderedDeadLetterQueue);
    this.rejectedEvents = queue('RejectedEvents', 'rejectedEvents');
    this.routerDeadLetters = queue('RouterDeadLetters', 'routerDeadLetters');
    for (const holding of [this.rejectedEvents, this.routerDeadLetters]) {
      Validations.of(holding).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'A holding queue for an operator to inspect (refused or unroutable events); nothing consumes it, so it needs no dead-letter queue of its own.',
      });
    }

    this.router = new HeraldFunction(this, 'Router', {
      entry: 'functions/handlers/router.ts',
      description: 'Herald router: one platform event to one delivery per subscribed webhook',
      logRetention,
      logLevel: settings.logLevel,
      tracing: settings.tracing,
      timeout: Duration.seconds(60),
      // Waits on DynamoDB and SQS, barely computes: the smaller size halves its GB-seconds.
      memorySize: 256,
      environment: {
        DELIVERY_QUEUE_URL: this.deliveryQueue.queueUrl,
        ORDERED_DELIVERY_QUEUE_URL: this.orderedDeliveryQueue.queueUrl,
        REJECTED_EVENTS_QUEUE_URL: this.rejectedEvents.queueUrl,
        ...functionEnvironment(settings, 'router'),
      },
      // Query finds the routes; UpdateItem logs deliveries held for disabled webhooks.
    }).bindTable(props.table, { actions: ['dynamodb:Query', 'dynamodb:UpdateItem'] });
    this.deliveryQueue.grantSendMessages(this.router.function);
    this.orderedDeliveryQueue.grantSendMessages(this.router.function);
    this.rejectedEvents.grantSendMessages(this.router.function);

    const pattern = routerRulePattern(settings.eventSource);
    const rule = new Rule(this, 'PlatformEvents', {
      eventBus: props.bus,
      description: "Platform events of the catalog, and Herald's operational events, to the Herald router",
      // Replaced below: the L2 pattern type has no `$or`, which the rule needs (platform source
      // with platform types, or `herald` with operational types).
      eventPattern: { source: pattern.$or.flatMap((alternative) => alternative.source) },
      targets: [
        new LambdaFunction(this.router.function, {
          retryAttempts: routerRetryPolicy.retryAttempts,
          maxEventAge: Duration.seconds(routerRetryPolicy.maxEventAgeSeconds),
          deadLetterQueue: this.routerDeadLetters,
        }),
      ],
    });
    const cfnRule = rule.node.defaultChild;
    if (!(cfnRule instanceof CfnRule)) throw new Error('The bus rule has no CfnRule');
    // An override merges into the L2's pattern: take its placeholder `source` out.
    cfnRule.addPropertyDeletionOverride('EventPattern.source');
    cfnRule.addPropertyOverride('EventPattern.$or', pattern.$or);
    props.bus.archive('Archive', {
      description: 'Platform events, for replay',
      eventPattern: { source: [settings.eventSource] },
      retention: settings.archiveRetentionDays > 0 ? Duration.days(settings.archiveRetentionDays) : undefined,
    });

    this.delivery = new HeraldFunction(this, 'Delivery', {
      entry: 'functions/handlers/delivery.ts',
      description: 'Herald delivery: sign, authenticate, send, retry and record',
      logRetention,
      logLevel: settings.logLevel,
      tracing: settings.tracing,
      timeout: Duration.seconds(timings.functionTimeoutSeconds),
      // Mostly waits on endpoints; signing a batch of ten takes a few ms even at this size.
      memorySize: 256,
      environment: {
        DELIVERY_QUEUE_URL: this.deliveryQueue.queueUrl,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        ORDERED_DELIVERY_QUEUE_URL: this.orderedDeliveryQueue.queueUrl,
        ORDERED_DEAD_LETTER_QUEUE_URL: this.orderedDeadLetterQueue.queueUrl,
        ...functionEnvironment(settings, 'delivery'),
      },
      // UpdateItem: the delivery log and endpoint health; Put/Delete: disabling a failing webhook
      // (one transaction over the webhook and its routes).
    }).bindTable(props.table, {
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    });
    this.deadLetterQueue.grantSendMessages(this.delivery.function);
    this.orderedDeadLetterQueue.grantSendMessages(this.delivery.function);
    // Operational events (failing, recovered, disabled, exhausted) go to the bus.
    props.bus.grantPutEventsTo(this.delivery.function);
    // A rate-limited delivery goes back on its queue as a new message (delivery-batch.ts: requeue).
    this.deliveryQueue.grantSendMessages(this.delivery.function);
    this.delivery.function.addEventSource(
      new SqsEventSource(this.deliveryQueue, {
        ...deliveryEventSource,
        // Deliveries never take the account's whole Lambda concurrency from the API.
        maxConcurrency: settings.deliveryMaxConcurrency,
      }),
    );
    // Ordered deliveries: Lambda hands a FIFO queue's groups out in order, a group to one batch at
    // a time; the batch handler goes through each group's messages one by one (delivery-batch.ts).
    this.delivery.function.addEventSource(
      new SqsEventSource(this.orderedDeliveryQueue, {
        ...deliveryEventSource,
        maxConcurrency: settings.deliveryMaxConcurrency,
      }),
    );
  }
}
