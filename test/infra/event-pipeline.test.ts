import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  operationalEventPattern,
  platformEventPattern,
  routerRulePattern,
} from '../../functions/domain/event-pattern';
import { defaultRetrySchedule } from '../../functions/domain/retry';
import { deliveryTimings } from '../../functions/shared/pipeline';
import { settingsFromContext } from '../../lib/config';
import { HeraldStack } from '../../lib/herald-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

/** Synthesizes the stack with `context` as the `herald.*` settings, the way `cdk -c` gives them. */
function synth(context: Record<string, string> = {}): Template {
  // CDK's built-in CloudFormation validation (about 3 s a synth) is left to the cdk-nag test and
  // `cdk synth`: these assertions read the template only.
  const app = new App({ builtinCloudFormationValidation: false, context });
  return Template.fromStack(new HeraldStack(app, 'Herald', { settings: settingsFromContext(app.node) }));
}

/** What the tests read of one synthesized stack: the pipeline's resources, found by their wiring. */
class Pipeline {
  constructor(readonly template: Template) {}

  private get all(): Record<string, Resource> {
    return this.template.toJSON().Resources as Record<string, Resource>;
  }

  resources(type: string): Array<[string, Resource]> {
    return Object.entries(this.template.findResources(type)) as Array<[string, Resource]>;
  }

  resource(id: string): Resource {
    const found = this.all[id];
    if (!found) throw new Error(`no resource ${id}`);
    return found;
  }

  rule(): Resource {
    return only(this.resources('AWS::Events::Rule'), 'bus rule')[1];
  }

  routerId(): string {
    const targets = this.rule().Properties.Targets as Array<{ Arn: unknown }>;
    return target(only(targets, 'rule target').Arn);
  }

  private mappings(fifo: boolean): Array<[string, Resource]> {
    return this.resources('AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => (this.resource(target(m.Properties.EventSourceArn)).Properties.FifoQueue === true) === fifo,
    );
  }

  /** The delivery function's mapping on the (standard) delivery queue. */
  eventSourceMapping(): Resource {
    return only(this.mappings(false), 'event source mapping on a standard queue')[1];
  }

  /** Its mapping on the ordered (FIFO) delivery queue. */
  orderedEventSourceMapping(): Resource {
    return only(this.mappings(true), 'event source mapping on a FIFO queue')[1];
  }

  orderedQueueId(): string {
    return target(this.orderedEventSourceMapping().Properties.EventSourceArn);
  }

  orderedDeadLetterQueueId(): string {
    const redrive = this.resource(this.orderedQueueId()).Properties.RedrivePolicy as {
      deadLetterTargetArn: unknown;
    };
    return target(redrive.deadLetterTargetArn);
  }

  deliveryId(): string {
    return target(this.eventSourceMapping().Properties.FunctionName);
  }

  deliveryQueueId(): string {
    return target(this.eventSourceMapping().Properties.EventSourceArn);
  }

  deadLetterQueueId(): string {
    const redrive = this.resource(this.deliveryQueueId()).Properties.RedrivePolicy as {
      deadLetterTargetArn: unknown;
    };
    return target(redrive.deadLetterTargetArn);
  }

  routerDeadLetterQueueId(): string {
    const [targetProps] = this.rule().Properties.Targets as Array<{ DeadLetterConfig: { Arn: unknown } }>;
    return target(targetProps?.DeadLetterConfig.Arn);
  }

  /** The queue the router's REJECTED_EVENTS_QUEUE_URL names. */
  rejectedQueueId(): string {
    return target(this.environment(this.routerId()).REJECTED_EVENTS_QUEUE_URL);
  }

  environment(functionId: string): Record<string, unknown> {
    return (this.resource(functionId).Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
  }

  /** Every statement of the policies attached to the role of `functionId`. */
  statementsOf(functionId: string): Statement[] {
    const roleId = target(this.resource(functionId).Properties.Role);
    return this.resources('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => target(r) === roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }

  actionsOf(functionId: string): string[] {
    return this.statementsOf(functionId).flatMap(actionsOf);
  }
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function target(ref: unknown): string {
  const r = ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  const id = r?.Ref ?? r?.['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`not a reference: ${JSON.stringify(ref)}`);
  return id;
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The queues a statement's resources point at (their ARNs, by `Fn::GetAtt`). */
function resourceTargets(s: Statement): string[] {
  const list = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
  return list.flatMap((r) => {
    try {
      return [target(r)];
    } catch {
      return [];
    }
  });
}

let defaults: Pipeline;
let overridden: Pipeline;

beforeAll(() => {
  // Two synths for the file: NodejsFunction runs esbuild for every function on each synth.
  defaults = new Pipeline(synth());
  overridden = new Pipeline(synth({ 'herald.retrySchedule': '1s,2s', 'herald.sendSvixHeaders': 'false' }));
});

describe('bus rule and archive', () => {
  it("matches exactly the platform's events (CredoAI, platform types) or Herald's (herald, operational types)", () => {
    const pattern = defaults.rule().Properties.EventPattern;
    expect(pattern).toEqual(routerRulePattern('CredoAI'));
    expect(pattern).toEqual({ $or: [platformEventPattern('CredoAI'), operationalEventPattern()] });
    expect(operationalEventPattern()).toEqual({
      source: ['herald'],
      'detail-type': [
        'webhook.disabled',
        'webhook.enabled',
        'webhook.failing',
        'webhook.recovered',
        'delivery.exhausted',
      ],
    });
    expect(platformEventPattern('CredoAI')['detail-type']).not.toContain('webhook.failing');
    expect(defaults.rule().Properties.State ?? 'ENABLED').toBe('ENABLED');
  });

  it('sits on the Herald bus', () => {
    const [busId] = only(defaults.resources('AWS::Events::EventBus'), 'event bus');
    expect(target(defaults.rule().Properties.EventBusName)).toBe(busId);
  });

  it('targets the router, retrying for a day then dead-lettering to its own queue', () => {
    const targets = defaults.rule().Properties.Targets as Array<Record<string, unknown>>;
    const ruleTarget = only(targets, 'rule target');
    expect(ruleTarget).toMatchObject({
      Arn: { 'Fn::GetAtt': [defaults.routerId(), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    const dlq = defaults.routerDeadLetterQueueId();
    expect(defaults.resource(dlq).Type).toBe('AWS::SQS::Queue');
    expect(dlq).not.toBe(defaults.deliveryQueueId());
    expect(dlq).not.toBe(defaults.deadLetterQueueId());
  });

  it('lets EventBridge invoke the router from this rule only', () => {
    const [ruleId] = only(defaults.resources('AWS::Events::Rule'), 'bus rule');
    const permissions = defaults
      .resources('AWS::Lambda::Permission')
      .filter(([, p]) => target(p.Properties.FunctionName) === defaults.routerId());
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      }),
    ]);
  });

  it("archives the bus's platform events for 30 days, by source", () => {
    const [busId] = only(defaults.resources('AWS::Events::EventBus'), 'event bus');
    const [, archive] = only(defaults.resources('AWS::Events::Archive'), 'archive');
    expect(archive.Properties).toMatchObject({
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
      EventPattern: { source: ['CredoAI'] },
    });
  });
});

describe('queues', () => {
  it('has the delivery queue, its dead-letter queue, the ordered queue and its dead-letter queue, the rejected-events queue and the router DLQ, all distinct', () => {
    const ids = [
      defaults.deliveryQueueId(),
      defaults.deadLetterQueueId(),
      defaults.orderedQueueId(),
      defaults.orderedDeadLetterQueueId(),
      defaults.rejectedQueueId(),
      defaults.routerDeadLetterQueueId(),
    ];
    expect(new Set(ids).size).toBe(6);
    expect(
      defaults
        .resources('AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('redrives the delivery queue to its DLQ after the default schedule length + 4 receives', () => {
    const queue = defaults.resource(defaults.deliveryQueueId());
    expect(defaultRetrySchedule).toHaveLength(7);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [defaults.deadLetterQueueId(), 'Arn'] },
      maxReceiveCount: defaultRetrySchedule.length + 4,
    });
  });

  it('makes the ordered queue and its dead-letter queue FIFO, in high-throughput mode, deduplicating on the ids the router gives', () => {
    for (const id of [defaults.orderedQueueId(), defaults.orderedDeadLetterQueueId()]) {
      expect(defaults.resource(id).Properties).toMatchObject({
        FifoQueue: true,
        ContentBasedDeduplication: false,
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
      });
    }
    for (const id of [defaults.deliveryQueueId(), defaults.deadLetterQueueId()]) {
      expect(defaults.resource(id).Properties.FifoQueue).toBeUndefined();
    }
  });

  it('redrives the ordered queue to its FIFO DLQ only at SQS’s largest receive count, with the derived visibility', () => {
    const queue = defaults.resource(defaults.orderedQueueId());
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [defaults.orderedDeadLetterQueueId(), 'Arn'] },
      maxReceiveCount: 1000,
    });
    expect(queue.Properties.VisibilityTimeout).toBe(6 * 65);
  });

  it('encrypts every queue with SQS-managed keys', () => {
    for (const [id, queue] of defaults.resources('AWS::SQS::Queue')) {
      expect({ id, sse: queue.Properties.SqsManagedSseEnabled }).toEqual({ id, sse: true });
    }
  });

  it('refuses plain-HTTP access to every queue (aws:SecureTransport false is denied)', () => {
    const policies = defaults.resources('AWS::SQS::QueuePolicy');
    for (const [queueId] of defaults.resources('AWS::SQS::Queue')) {
      const statements = policies
        .filter(([, p]) => (p.Properties.Queues as unknown[]).some((q) => target(q) === queueId))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      const enforcing = statements.filter(
        (s) =>
          s.Effect === 'Deny' &&
          JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      expect({ queueId, enforcing: enforcing.length }).toEqual({ queueId, enforcing: 1 });
      expect(enforcing[0]).toMatchObject({
        Action: 'sqs:*',
        Principal: { AWS: '*' },
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
    }
  });

  it('keeps messages 14 days on every queue, so an operator has time to look', () => {
    for (const [id, queue] of defaults.resources('AWS::SQS::Queue')) {
      expect({ id, retention: queue.Properties.MessageRetentionPeriod }).toEqual({
        id,
        retention: 14 * 86_400,
      });
    }
  });
});

describe('delivery function', () => {
  it('reads the delivery queue in batches of 10, reporting failed items one by one', () => {
    expect(defaults.eventSourceMapping().Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [defaults.deliveryQueueId(), 'Arn'] },
      FunctionName: { Ref: defaults.deliveryId() },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('reads the ordered queue too, in batches of 10, reporting failed items one by one, with the same cap', () => {
    expect(defaults.orderedEventSourceMapping().Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [defaults.orderedQueueId(), 'Arn'] },
      FunctionName: { Ref: defaults.deliveryId() },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });

  it('caps the concurrent deliveries at herald.deliveryMaxConcurrency (50 by default), leaving the API its share of the account', () => {
    expect(defaults.eventSourceMapping().Properties.ScalingConfig).toEqual({ MaximumConcurrency: 50 });
    const capped = new Pipeline(synth({ 'herald.deliveryMaxConcurrency': '7' }));
    expect(capped.eventSourceMapping().Properties.ScalingConfig).toEqual({ MaximumConcurrency: 7 });
  });

  it("derives the function's and the queue's timeouts from the per-call timeout, as local mode does", () => {
    const visibility = defaults.resource(defaults.deliveryQueueId()).Properties.VisibilityTimeout;
    const timeout = defaults.resource(defaults.deliveryId()).Properties.Timeout;
    const timings = deliveryTimings(15_000);
    // Four calls of 15 s (token, POST, token again after a 401, POST) and the margin: 65 s.
    expect(timeout).toBe(65);
    expect(timeout).toBe(timings.functionTimeoutSeconds);
    expect(visibility).toBe(6 * 65);
  });

  it('is given the queue URLs and the settings it reads', () => {
    expect(defaults.environment(defaults.deliveryId())).toMatchObject({
      DELIVERY_QUEUE_URL: { Ref: defaults.deliveryQueueId() },
      DEAD_LETTER_QUEUE_URL: { Ref: defaults.deadLetterQueueId() },
      ORDERED_DELIVERY_QUEUE_URL: { Ref: defaults.orderedQueueId() },
      ORDERED_DEAD_LETTER_QUEUE_URL: { Ref: defaults.orderedDeadLetterQueueId() },
      HERALD_ALLOW_PRIVATE_TARGETS: 'false',
      HERALD_ALLOWED_PORTS: '443,1024-65535',
      HERALD_RETRY_SCHEDULE: '',
      HERALD_SEND_SVIX_HEADERS: 'true',
      HERALD_DELIVERY_TIMEOUT_MS: '15000',
      HERALD_ATTEMPT_RETENTION_DAYS: '30',
      HERALD_AUTO_DISABLE_AFTER_SECONDS: '432000',
      HERALD_EVENT_SOURCE: 'CredoAI',
      TABLE_NAME: { Ref: expect.any(String) },
    });
  });
});

describe('router function', () => {
  it('is given the delivery and rejected-events queue URLs and the table', () => {
    const environment = defaults.environment(defaults.routerId());
    expect(environment).toMatchObject({
      DELIVERY_QUEUE_URL: { Ref: defaults.deliveryQueueId() },
      ORDERED_DELIVERY_QUEUE_URL: { Ref: defaults.orderedQueueId() },
      REJECTED_EVENTS_QUEUE_URL: { Ref: expect.any(String) },
      TABLE_NAME: { Ref: expect.any(String) },
    });
    expect(defaults.resource(defaults.rejectedQueueId()).Type).toBe('AWS::SQS::Queue');
  });

  it('is not fed by any queue', () => {
    const fedFunctions = defaults
      .resources('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => target(m.Properties.FunctionName));
    expect(fedFunctions).not.toContain(defaults.routerId());
  });
});

describe('least privilege', () => {
  const tableWrites = [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ];

  it('lets the router query the table, log held deliveries and send to its two queues, nothing more', () => {
    const actions = defaults.actionsOf(defaults.routerId());
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem', 'sqs:SendMessage']),
    );
    const forbiddenWrites = tableWrites.filter((a) => a !== 'dynamodb:UpdateItem');
    for (const forbidden of [...forbiddenWrites, 'dynamodb:Scan', 'dynamodb:GetItem', 'sqs:DeleteMessage']) {
      expect({ forbidden, granted: actions.includes(forbidden) }).toEqual({ forbidden, granted: false });
    }
    const sendTargets = defaults
      .statementsOf(defaults.routerId())
      .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
      .flatMap(resourceTargets)
      .sort();
    expect(sendTargets).toEqual(
      [defaults.deliveryQueueId(), defaults.orderedQueueId(), defaults.rejectedQueueId()].sort(),
    );
  });

  it('lets the delivery function read, log and disable (get, update, put, delete items), not query or scan', () => {
    const actions = defaults.actionsOf(defaults.deliveryId());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
      ]),
    );
    for (const forbidden of ['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchWriteItem']) {
      expect({ forbidden, granted: actions.includes(forbidden) }).toEqual({ forbidden, granted: false });
    }
  });

  it('lets the delivery function consume the delivery queue, back off on it, re-queue a rate-limited delivery on it and dead-letter', () => {
    const statements = defaults.statementsOf(defaults.deliveryId());
    const on = (action: string) =>
      statements.filter((s) => actionsOf(s).includes(action)).flatMap(resourceTargets);
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
      expect({ action, queues: on(action).sort() }).toEqual({
        action,
        queues: [defaults.deliveryQueueId(), defaults.orderedQueueId()].sort(),
      });
    }
    // Not the ordered queue: an ordered delivery waits by its visibility, never as a new message.
    expect(on('sqs:SendMessage').sort()).toEqual(
      [defaults.deadLetterQueueId(), defaults.deliveryQueueId(), defaults.orderedDeadLetterQueueId()].sort(),
    );
  });

  it('lets the delivery function publish operational events on the Herald bus only, and not the router', () => {
    const [busId] = only(defaults.resources('AWS::Events::EventBus'), 'event bus');
    const puts = defaults
      .statementsOf(defaults.deliveryId())
      .filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(puts.flatMap(resourceTargets)).toEqual([busId]);
    expect(defaults.actionsOf(defaults.routerId())).not.toContain('events:PutEvents');
    expect(defaults.resource(defaults.deliveryId()).Properties.Environment).toMatchObject({
      Variables: { HERALD_BUS_NAME: 'herald' },
    });
  });
});

describe('settings from context', () => {
  it('sizes the redrive to a shorter retry schedule: 2 delays + 4 receives', () => {
    const queue = overridden.resource(overridden.deliveryQueueId());
    expect(queue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 6 });
  });

  it('passes the retry schedule and the Svix-headers switch to the delivery function', () => {
    expect(overridden.environment(overridden.deliveryId())).toMatchObject({
      HERALD_RETRY_SCHEDULE: '1s,2s',
      HERALD_SEND_SVIX_HEADERS: 'false',
    });
  });
});
