import { Annotations, Aws, Duration, Stack } from 'aws-cdk-lib';
import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { defaultRetrySchedule, parseRetrySchedule, retryJitter } from '../../functions/domain/retry';
import { MetricName, metricsNamespace, metricsService } from '../../functions/shared/metrics';
import type { HeraldSettings } from '../config';

export interface MonitoringProps {
  /** `alarmEmail`, `alarmTopicArn`, `failureRateAlarmPercent`, `oldestMessageAlarmSeconds` and `retrySchedule` are read. */
  readonly settings: HeraldSettings;
  /** The pipeline's queues. */
  readonly queues: {
    readonly deliveries: IQueue;
    readonly deliveryDeadLetters: IQueue;
    /** The FIFO pair of `ordering: fifo` webhooks. */
    readonly orderedDeliveries: IQueue;
    readonly orderedDeadLetters: IQueue;
    readonly routerDeadLetters: IQueue;
    readonly rejectedEvents: IQueue;
  };
  /** Every Herald function. */
  readonly functions: {
    readonly api: IFunction;
    readonly authorizer: IFunction;
    readonly router: IFunction;
    readonly delivery: IFunction;
  };
  readonly restApi: RestApiBase;
  /**
   * Fewest delivery attempts in 15 minutes for the failure-rate alarm to judge: below it, a few
   * failures to one tenant's endpoint would make any percentage.
   * @default 20
   */
  readonly failureRateMinAttempts?: number;
  /**
   * API 5xx answers in 5 minutes that raise the API alarm. The API answers 5xx only on Herald's own
   * trouble, but one DynamoDB hiccup should not page anyone.
   * @default 5
   */
  readonly apiServerErrorThreshold?: number;
}

const fiveMinutes = Duration.minutes(5);

/**
 * What an operator watches: alarms on everything that needs a person (dead letters, function
 * errors, a failing delivery rate, a backlog, API 5xx), optionally notified through SNS, and one
 * dashboard of Herald's metrics (`functions/shared/metrics.ts`) beside those of SQS, Lambda and
 * API Gateway. Missing data never alarms: a quiet Herald emits nothing.
 */
export class Monitoring extends Construct {
  readonly dashboard: Dashboard;
  /** Every alarm, by what it watches. */
  readonly alarms: Readonly<Record<string, Alarm>>;
  /** The topic made for `alarmEmail`, if one was given. */
  readonly alarmTopic?: Topic;
  /** Where alarms notify: the new topic and/or the `alarmTopicArn` one; empty for no actions. */
  readonly notified: readonly ITopic[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { settings, queues, functions } = props;
    const stackName = Stack.of(this).stackName;

    const notified: ITopic[] = [];
    if (settings.alarmEmail) {
      this.alarmTopic = this.createAlarmTopic(settings.alarmEmail);
      notified.push(this.alarmTopic);
    }
    if (settings.alarmTopicArn) {
      notified.push(Topic.fromTopicArn(this, 'ExistingAlarmTopic', settings.alarmTopicArn));
    }
    this.notified = notified;

    const alarm = (
      key: string,
      metric: IMetric,
      options: {
        name: string;
        description: string;
        threshold: number;
        comparison?: ComparisonOperator;
      },
    ): Alarm => {
      const created = new Alarm(this, key, {
        alarmName: `${stackName}-${options.name}`,
        alarmDescription: options.description,
        metric,
        threshold: options.threshold,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      for (const topic of notified) {
        created.addAlarmAction(new SnsAction(topic));
        created.addOkAction(new SnsAction(topic));
      }
      return created;
    };
    const waiting = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: fiveMinutes });

    const deliveryFailureRate = this.deliveryFailureRate(props.failureRateMinAttempts ?? 20);
    const oldestDelivery = queues.deliveries.metricApproximateAgeOfOldestMessage({
      statistic: Stats.MAXIMUM,
      period: fiveMinutes,
    });
    this.warnIfAgeAlarmMeetsRetries(settings);

    this.alarms = {
      deliveryDeadLetters: alarm('DeliveryDeadLettersAlarm', waiting(queues.deliveryDeadLetters), {
        name: 'delivery-dead-letters',
        threshold: 0,
        description:
          'Deliveries are waiting on the delivery dead-letter queue: out of attempts, answered 410 Gone, or ' +
          "not a delivery message. Each message's reason attribute says why (the delivery function's logs " +
          'have the tenant, webhook and delivery ids). Fix the cause or tell the tenant, then move them ' +
          'to the delivery queue with an SQS dead-letter redrive (destination: the delivery queue), or ' +
          'delete them. SQS keeps them 14 days.',
      }),
      orderedDeadLetters: alarm('OrderedDeadLettersAlarm', waiting(queues.orderedDeadLetters), {
        name: 'ordered-dead-letters',
        threshold: 0,
        description:
          'Deliveries of ordered (fifo) webhooks are waiting on the ordered dead-letter queue: out of ' +
          "attempts, each logged failed and the next in order released. Each message's reason attribute " +
          'says why. Fix the cause or tell the tenant; the tenant recovers them through the delivery log ' +
          '(they are logged failed), so delete the messages after. SQS keeps them 14 days.',
      }),
      routerDeadLetters: alarm('RouterDeadLettersAlarm', waiting(queues.routerDeadLetters), {
        name: 'router-dead-letters',
        threshold: 0,
        description:
          'Platform events EventBridge could not hand to the router for 24 hours are on the router ' +
          'dead-letter queue: no webhook received them. Find the router errors in its logs, fix them, then ' +
          'publish the events again (each message is the EventBridge event; or replay them from the bus ' +
          'archive) and delete the messages. SQS keeps them 14 days.',
      }),
      eventsRejected: alarm(
        'EventsRejectedAlarm',
        queues.rejectedEvents.metricNumberOfMessagesSent({ statistic: Stats.SUM, period: fiveMinutes }),
        {
          name: 'events-rejected',
          threshold: 0,
          description:
            'Warning, not an outage: the platform published events whose data failed their event ' +
            "type's schema; they were not delivered and are on the rejected-events queue. Each message " +
            'names the failing fields: tell the platform team, then delete the messages (or publish fixed ' +
            'events again). Clears by itself when no new event is rejected for 5 minutes.',
        },
      ),
      routerErrors: alarm(
        'RouterErrorsAlarm',
        functions.router.metricErrors({ statistic: Stats.SUM, period: fiveMinutes }),
        {
          name: 'router-errors',
          threshold: 0,
          description:
            'The router function failed (DynamoDB, SQS or a bug). EventBridge retries each event for up ' +
            "to 24 hours, then dead-letters it, so nothing is lost yet. Read the router function's log " +
            'group for the error and fix it before the retries run out.',
        },
      ),
      deliveryErrors: alarm(
        'DeliveryErrorsAlarm',
        functions.delivery.metricErrors({ statistic: Stats.SUM, period: fiveMinutes }),
        {
          name: 'delivery-errors',
          threshold: 0,
          description:
            'The delivery function failed a whole invocation (a crash, a timeout or Herald trouble such as ' +
            "DynamoDB), not a receiver's failure. The batch comes back after the queue's visibility " +
            "timeout; repeated failures end on the dead-letter queue. Read the delivery function's log " +
            'group for the error.',
        },
      ),
      deliveryFailureRate: alarm('DeliveryFailureRateAlarm', deliveryFailureRate, {
        name: 'delivery-failure-rate',
        threshold: settings.failureRateAlarmPercent,
        description:
          `More than ${settings.failureRateAlarmPercent}% of delivery attempts failed over 15 minutes. ` +
          'One tenant with a broken endpoint can cause this: the delivery function logs each failure with ' +
          'tenant, webhook and reason. Many tenants at once points at Herald (network, signing, OAuth): ' +
          'check the delivery function and the dashboard.',
      }),
      deliveryQueueAge: alarm('DeliveryQueueAgeAlarm', oldestDelivery, {
        name: 'delivery-queue-age',
        threshold: settings.oldestMessageAlarmSeconds,
        description:
          `A delivery has waited on the delivery queue for more than ${settings.oldestMessageAlarmSeconds} ` +
          "seconds: deliveries are not keeping up. Check the delivery function's errors, throttles and " +
          'concurrency on the dashboard, and the queue depth.',
      }),
      apiServerErrors: alarm(
        'ApiServerErrorsAlarm',
        props.restApi.metricServerError({ statistic: Stats.SUM, period: fiveMinutes }),
        {
          name: 'api-5xx',
          threshold: props.apiServerErrorThreshold ?? 5,
          comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          description:
            'The API answered 5xx: the API or authorizer function failed or timed out, or API Gateway ' +
            "did. Find the errors in the API's access logs (status, errorType, integrationStatus) and the " +
            "functions' log groups.",
        },
      ),
    };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboards are per account, not per region: the region keeps two deployments apart.
      dashboardName: `${stackName}-${Aws.REGION}`,
    });
    this.addWidgets(props, deliveryFailureRate);
  }

  /**
   * An encrypted, TLS-only topic with `email` subscribed (the address must confirm). CloudWatch
   * cannot publish to a topic under the AWS-managed SNS key, whose policy cannot be changed, so
   * the topic has its own key, usable by CloudWatch for this and not by anything reading Herald's
   * data.
   */
  private createAlarmTopic(email: string): Topic {
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Herald: encrypts alarm notifications',
      enableKeyRotation: true,
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Herald alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, so CloudWatch needs its own grant: this account's
    // alarms only.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  /**
   * Failed attempts as a percentage of all attempts over 15 minutes, 0 below `minAttempts`.
   * FILL makes a missing series 0, so a period with failures and no success still counts as 100%.
   */
  private deliveryFailureRate(minAttempts: number): MathExpression {
    const period = Duration.minutes(15);
    const attempts = new MathExpression({
      expression: 'FILL(succeeded, 0) + FILL(failed, 0)',
      usingMetrics: {
        succeeded: heraldMetric(MetricName.DeliverySucceeded, Stats.SUM, period),
        failed: heraldMetric(MetricName.DeliveryFailed, Stats.SUM, period),
      },
      period,
    });
    return new MathExpression({
      label: 'Failed attempts (%)',
      expression: `IF(attempts >= ${minAttempts}, 100 * FILL(failures, 0) / attempts, 0)`,
      usingMetrics: { attempts, failures: heraldMetric(MetricName.DeliveryFailed, Stats.SUM, period) },
      period,
    });
  }

  /**
   * Retries wait on the delivery queue itself (the message's visibility timeout is the backoff),
   * and SQS counts messages in flight in ApproximateAgeOfOldestMessage until, as AWS documents,
   * their third receive.
   * A healthy queue therefore shows ages up to the first two retry delays (5 s + 5 min by default,
   * ±20%); only a threshold well above them means a backlog. Say so at synth when it is not.
   */
  private warnIfAgeAlarmMeetsRetries(settings: HeraldSettings): void {
    const schedule = settings.retrySchedule
      ? parseRetrySchedule(settings.retrySchedule)
      : defaultRetrySchedule;
    const retriesWait = schedule.slice(0, 2).reduce((sum, s) => sum + s, 0) * (1 + retryJitter);
    if (settings.oldestMessageAlarmSeconds <= retriesWait) {
      Annotations.of(this).addWarningV2(
        'herald:oldestMessageAlarmSeconds',
        `herald.oldestMessageAlarmSeconds (${settings.oldestMessageAlarmSeconds}) is within the first two ` +
          `retry delays (up to ${Math.ceil(retriesWait)} s): retries waiting on the delivery queue will raise ` +
          'the delivery-queue-age alarm.',
      );
    }
  }

  private addWidgets(props: MonitoringProps, deliveryFailureRate: IMetric): void {
    const { queues, functions, restApi } = props;
    const sum = (name: MetricName, label: string) => heraldMetric(name, Stats.SUM, fiveMinutes, label);
    const queueList: Array<[string, IQueue]> = [
      ['deliveries', queues.deliveries],
      ['delivery DLQ', queues.deliveryDeadLetters],
      ['ordered deliveries', queues.orderedDeliveries],
      ['ordered DLQ', queues.orderedDeadLetters],
      ['router DLQ', queues.routerDeadLetters],
      ['rejected events', queues.rejectedEvents],
    ];
    const functionList = Object.entries(functions);
    const perFunction = (metricName: string, statistic: string) =>
      functionList.map(([label, fn]) => fn.metric(metricName, { statistic, period: fiveMinutes, label }));

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Herald\nDeliveries count attempts: a retried delivery counts once per attempt. Each alarm says ' +
          'what to do in its description.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Delivery attempts',
        left: [
          sum(MetricName.DeliverySucceeded, 'succeeded'),
          sum(MetricName.DeliveryFailed, 'failed'),
          sum(MetricName.DeliveryRetried, 'retried'),
          sum(MetricName.DeliveryDeadLettered, 'dead-lettered'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Delivery failure rate (15 min)',
        left: [deliveryFailureRate],
        leftAnnotations: [{ value: props.settings.failureRateAlarmPercent, label: 'alarm' }],
        leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
        width: 8,
      }),
      new GraphWidget({
        title: 'Delivery latency (ms)',
        left: ['p50', 'p90', 'p99'].map((p) => heraldMetric(MetricName.DeliveryLatency, p, fiveMinutes, p)),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Events',
        left: [sum(MetricName.EventRouted, 'routed'), sum(MetricName.EventRejected, 'rejected')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Fan-out (deliveries per event)',
        left: [
          heraldMetric(MetricName.FanOut, Stats.AVERAGE, fiveMinutes, 'average'),
          heraldMetric(MetricName.FanOut, Stats.MAXIMUM, fiveMinutes, 'maximum'),
        ],
        right: [sum(MetricName.FanOut, 'deliveries queued')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Webhooks disabled automatically; operational events lost',
        left: [sum(MetricName.WebhookDisabled, 'disabled')],
        // PutEvents refused or timed out: the operational event was logged, not published.
        right: [sum(MetricName.OperationalEventFailed, 'operational events not published')],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue depth (visible; deliveries also in flight, i.e. waiting to retry)',
        left: [
          ...queueList.map(([label, q]) =>
            q.metricApproximateNumberOfMessagesVisible({
              statistic: Stats.MAXIMUM,
              period: fiveMinutes,
              label,
            }),
          ),
          queues.deliveries.metricApproximateNumberOfMessagesNotVisible({
            statistic: Stats.MAXIMUM,
            period: fiveMinutes,
            label: 'deliveries in flight',
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Oldest message age (s)',
        left: queueList.map(([label, q]) =>
          q.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: fiveMinutes, label }),
        ),
        leftAnnotations: [{ value: props.settings.oldestMessageAlarmSeconds, label: 'deliveries alarm' }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Lambda errors', left: perFunction('Errors', Stats.SUM), width: 6 }),
      new GraphWidget({ title: 'Lambda throttles', left: perFunction('Throttles', Stats.SUM), width: 6 }),
      new GraphWidget({ title: 'Lambda duration p99 (ms)', left: perFunction('Duration', 'p99'), width: 6 }),
      new GraphWidget({
        title: 'Lambda concurrent executions',
        left: perFunction('ConcurrentExecutions', Stats.MAXIMUM),
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests',
        left: [
          restApi.metricCount({ statistic: Stats.SUM, period: fiveMinutes, label: 'requests' }),
          restApi.metricClientError({ statistic: Stats.SUM, period: fiveMinutes, label: '4xx' }),
          restApi.metricServerError({ statistic: Stats.SUM, period: fiveMinutes, label: '5xx' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: ['p50', 'p90', 'p99'].map((p) =>
          restApi.metricLatency({ statistic: p, period: fiveMinutes, label: p }),
        ),
        width: 12,
      }),
    );
  }
}

/** One of Herald's own metrics, with the `service` dimension Powertools adds to every one. */
function heraldMetric(name: MetricName, statistic: string, period: Duration, label?: string): Metric {
  return new Metric({
    namespace: metricsNamespace,
    metricName: name,
    dimensionsMap: { service: metricsService },
    statistic,
    period,
    label,
  });
}
