import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { MetricName, metricsNamespace } from '../../functions/shared/metrics';
import { settingsFromContext } from '../../lib/config';
import { HeraldStack } from '../../lib/herald-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };
type Statement = { Effect: string; Action: string | string[]; Principal?: unknown; Condition?: unknown };
type Synthesized = { template: Template; annotations: Annotations };

/** Synthesizes the stack with `context` as the `herald.*` settings, the way `cdk -c` gives them. */
function synth(context: Record<string, string> = {}): Synthesized {
  // CDK's built-in CloudFormation validation is left to the cdk-nag test and `cdk synth`.
  const app = new App({ builtinCloudFormationValidation: false, context });
  const stack = new HeraldStack(app, 'Herald', { settings: settingsFromContext(app.node) });
  return { template: Template.fromStack(stack), annotations: Annotations.fromStack(stack) };
}

/** Herald's own functions: not aws-cdk-lib's BucketDeployment copier (Python, deploy time only). */
function heraldFunctions(template: Template): Array<[string, Resource]> {
  return resources(template, 'AWS::Lambda::Function').filter(
    ([id]) => !id.startsWith('CustomCDKBucketDeployment'),
  );
}

function resources(
  template: Template,
  type: string,
  props?: Record<string, unknown>,
): Array<[string, Resource]> {
  return Object.entries(template.findResources(type, props ? { Properties: props } : undefined)) as Array<
    [string, Resource]
  >;
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

function resource(template: Template, id: string): Resource {
  const found = (template.toJSON().Resources as Record<string, Resource>)[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

/** The alarm named `Herald-<name>` (the stack is named Herald). */
function alarm(template: Template, name: string): Record<string, unknown> {
  return only(
    resources(template, 'AWS::CloudWatch::Alarm', { AlarmName: `Herald-${name}` }),
    `alarm ${name}`,
  )[1].Properties;
}

/** The pipeline's resources, found by their wiring (as test/infra/event-pipeline.test.ts does). */
function wiring(template: Template) {
  const [, rule] = only(resources(template, 'AWS::Events::Rule'), 'bus rule');
  const [ruleTarget] = rule.Properties.Targets as Array<{ Arn: unknown; DeadLetterConfig: { Arn: unknown } }>;
  // The standard delivery queue's mapping; the ordered (FIFO) queue has one too.
  const [, mapping] = only(
    resources(template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => resource(template, target(m.Properties.EventSourceArn)).Properties.FifoQueue !== true,
    ),
    'event source mapping on a standard queue',
  );
  const [, orderedMapping] = only(
    resources(template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => resource(template, target(m.Properties.EventSourceArn)).Properties.FifoQueue === true,
    ),
    'event source mapping on the FIFO queue',
  );
  const orderedRedrive = resource(template, target(orderedMapping.Properties.EventSourceArn)).Properties
    .RedrivePolicy as { deadLetterTargetArn: unknown };
  const router = target(ruleTarget?.Arn);
  const deliveryQueue = target(mapping.Properties.EventSourceArn);
  const redrive = resource(template, deliveryQueue).Properties.RedrivePolicy as {
    deadLetterTargetArn: unknown;
  };
  const routerVariables = (
    resource(template, router).Properties.Environment as { Variables: Record<string, unknown> }
  ).Variables;
  return {
    router,
    delivery: target(mapping.Properties.FunctionName),
    deliveryQueue,
    deadLetterQueue: target(redrive.deadLetterTargetArn),
    orderedDeadLetterQueue: target(orderedRedrive.deadLetterTargetArn),
    routerDeadLetterQueue: target(ruleTarget?.DeadLetterConfig.Arn),
    rejectedQueue: target(routerVariables.REJECTED_EVENTS_QUEUE_URL),
  };
}

const alarmNames = [
  'delivery-dead-letters',
  'ordered-dead-letters',
  'router-dead-letters',
  'events-rejected',
  'router-errors',
  'delivery-errors',
  'delivery-failure-rate',
  'delivery-queue-age',
  'api-5xx',
];
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-pager';

let defaults: Synthesized;
let notifying: Synthesized;
let existingTopic: Synthesized;

beforeAll(() => {
  // Three synths for the file: NodejsFunction runs esbuild for every function on each synth.
  defaults = synth();
  notifying = synth({
    'herald.alarmEmail': 'ops@example.com',
    'herald.alarmTopicArn': topicArn,
    'herald.failureRateAlarmPercent': '10',
    'herald.oldestMessageAlarmSeconds': '300',
  });
  existingTopic = synth({ 'herald.alarmTopicArn': topicArn });
});

describe('alarms', () => {
  it('has exactly the documented alarms, each described, evaluated once, missing data not breaching', () => {
    const alarms = resources(defaults.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(alarmNames.map((n) => `Herald-${n}`).sort());
    for (const a of alarms) {
      expect(a).toMatchObject({
        AlarmDescription: expect.stringMatching(/.{80,}/),
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it.each([
    ['delivery-dead-letters', 'deadLetterQueue'],
    ['ordered-dead-letters', 'orderedDeadLetterQueue'],
    ['router-dead-letters', 'routerDeadLetterQueue'],
  ] as const)('%s: raised by any message waiting on the queue', (name, queue) => {
    expect(alarm(defaults.template, name)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [wiring(defaults.template)[queue], 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('events-rejected: raised by any event sent to the rejected-events queue in 5 minutes', () => {
    expect(alarm(defaults.template, 'events-rejected')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [wiring(defaults.template).rejectedQueue, 'QueueName'] },
        },
      ],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmDescription: expect.stringMatching(/^Warning/),
    });
  });

  it.each([
    ['router-errors', 'router'],
    ['delivery-errors', 'delivery'],
  ] as const)('%s: raised by any function error', (name, fn) => {
    expect(alarm(defaults.template, name)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: wiring(defaults.template)[fn] } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('delivery-queue-age: the oldest delivery older than herald.oldestMessageAlarmSeconds (default an hour)', () => {
    const expected = (seconds: number, template: Template) => ({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [wiring(template).deliveryQueue, 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: seconds,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm(defaults.template, 'delivery-queue-age')).toMatchObject(expected(3600, defaults.template));
    expect(alarm(notifying.template, 'delivery-queue-age')).toMatchObject(expected(300, notifying.template));
  });

  it('warns at synth when the age threshold is within the first retry delays, not otherwise', () => {
    const warning = Match.stringLikeRegexp('herald.oldestMessageAlarmSeconds \\(300\\) is within');
    notifying.annotations.hasWarning('*', warning);
    defaults.annotations.hasNoWarning('*', Match.stringLikeRegexp('oldestMessageAlarmSeconds'));
  });

  it('api-5xx: five or more 5xx answers in 5 minutes', () => {
    expect(alarm(defaults.template, 'api-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: [{ Name: 'ApiName', Value: expect.anything() }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('delivery-failure-rate: failed / (succeeded + failed) over 15 minutes, with a minimum volume', () => {
    const rate = (template: Template) => alarm(template, 'delivery-failure-rate');
    expect(rate(defaults.template)).toMatchObject({
      Threshold: 25,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(rate(notifying.template).Threshold).toBe(10);

    const queries = rate(defaults.template).Metrics as Array<{
      Id: string;
      Expression?: string;
      ReturnData?: boolean;
      MetricStat?: { Metric: Record<string, unknown>; Period: number; Stat: string };
    }>;
    const returned = only(
      queries.filter((q) => q.ReturnData !== false),
      'returned query',
    );
    expect(returned.Expression).toBe('IF(attempts >= 20, 100 * FILL(failures, 0) / attempts, 0)');
    const byId = new Map(queries.map((q) => [q.Id, q]));
    expect(byId.get('attempts')?.Expression).toBe('FILL(succeeded, 0) + FILL(failed, 0)');
    const herald = (name: string) => ({
      Metric: {
        Namespace: metricsNamespace,
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'herald' }],
      },
      Period: 900,
      Stat: 'Sum',
    });
    expect(byId.get('succeeded')?.MetricStat).toEqual(herald(MetricName.DeliverySucceeded));
    expect(byId.get('failed')?.MetricStat).toEqual(herald(MetricName.DeliveryFailed));
    expect(byId.get('failures')?.MetricStat).toEqual(herald(MetricName.DeliveryFailed));
  });
});

describe('notifications', () => {
  it('makes no topic and no alarm actions by default', () => {
    expect(resources(defaults.template, 'AWS::SNS::Topic')).toEqual([]);
    expect(resources(defaults.template, 'AWS::SNS::Subscription')).toEqual([]);
    for (const [, a] of resources(defaults.template, 'AWS::CloudWatch::Alarm')) {
      expect(a.Properties.AlarmActions).toBeUndefined();
      expect(a.Properties.OKActions).toBeUndefined();
    }
    expect(Object.keys(defaults.template.findOutputs('AlarmTopicArn'))).toEqual([]);
  });

  it('with herald.alarmEmail: an email subscription to a new topic under its own rotating key, TLS only', () => {
    const [topicId, topic] = only(resources(notifying.template, 'AWS::SNS::Topic'), 'SNS topic');
    const keyId = target(topic.Properties.KmsMasterKeyId);
    const key = resource(notifying.template, keyId);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect((key.Properties.KeyPolicy as { Statement: Statement[] }).Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    notifying.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    const [, policy] = only(resources(notifying.template, 'AWS::SNS::TopicPolicy'), 'topic policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: expect.objectContaining({ StringEquals: expect.anything(), ArnLike: expect.anything() }),
      }),
    );
    notifying.template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('notifies every topic given, on alarm and on recovery', () => {
    const [topicId] = only(resources(notifying.template, 'AWS::SNS::Topic'), 'SNS topic');
    for (const [, a] of resources(notifying.template, 'AWS::CloudWatch::Alarm')) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }, topicArn]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }, topicArn]);
    }
  });

  it('with only herald.alarmTopicArn: uses that topic and makes none', () => {
    expect(resources(existingTopic.template, 'AWS::SNS::Topic')).toEqual([]);
    expect(resources(existingTopic.template, 'AWS::SNS::Subscription')).toEqual([]);
    for (const [, a] of resources(existingTopic.template, 'AWS::CloudWatch::Alarm')) {
      expect(a.Properties.AlarmActions).toEqual([topicArn]);
    }
    existingTopic.template.hasOutput('AlarmTopicArn', { Value: topicArn });
  });
});

describe('dashboard and metrics', () => {
  it('draws every Herald metric, the queues, the functions and the API on one dashboard', () => {
    const [, dashboard] = only(resources(defaults.template, 'AWS::CloudWatch::Dashboard'), 'dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of Object.values(MetricName)) expect(body).toContain(`\\"${name}\\"`);
    for (const name of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Errors',
      'Throttles',
      'Duration',
      'ConcurrentExecutions',
      '4XXError',
      '5XXError',
      'Latency',
    ]) {
      expect(body).toContain(`\\"${name}\\"`);
    }
    for (const p of ['p50', 'p90', 'p99']) expect(body).toContain(`\\"stat\\":\\"${p}\\"`);
    const { deliveryQueue, deadLetterQueue, routerDeadLetterQueue, rejectedQueue } = wiring(
      defaults.template,
    );
    for (const queue of [deliveryQueue, deadLetterQueue, routerDeadLetterQueue, rejectedQueue]) {
      expect(body).toContain(`"Fn::GetAtt":["${queue}","QueueName"]`);
    }
    for (const [fn] of heraldFunctions(defaults.template)) {
      expect(body).toContain(`"Ref":"${fn}"`);
    }
    defaults.template.hasOutput('DashboardName', { Value: { Ref: Match.anyValue() } });
  });

  it('gives every function the metrics namespace the alarms read', () => {
    for (const [id, fn] of heraldFunctions(defaults.template)) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect({ id, namespace: variables.POWERTOOLS_METRICS_NAMESPACE }).toEqual({ id, namespace: 'Herald' });
    }
  });
});
