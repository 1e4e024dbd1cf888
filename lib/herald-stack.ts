import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { HeraldSettings } from './config';
import { HeraldApi } from './constructs/api';
import { HeraldEventBus } from './constructs/event-bus';
import { EventPipeline } from './constructs/event-pipeline';
import { Monitoring } from './constructs/monitoring';
import { Portal } from './constructs/portal';
import { Storage } from './constructs/storage';
import { TraceSampling } from './constructs/trace-sampling';

const uiDist = join(__dirname, '..', 'ui', 'dist');

export interface HeraldStackProps extends StackProps {
  /** The deployment's settings, usually `settingsFromContext(app.node)`. */
  readonly settings: HeraldSettings;
  /** The built UI; default `ui/dist`, which bin/herald.ts, `npm start` and the tests build when stale. */
  readonly uiAssetPath?: string;
}

/** Herald: composition of its constructs and the outputs scripts and tests read. */
export class HeraldStack extends Stack {
  constructor(scope: Construct, id: string, props: HeraldStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const storage = new Storage(this, 'Storage');
    const events = new HeraldEventBus(this, 'Events', { busName: settings.busName });
    const api = new HeraldApi(this, 'Api', {
      settings,
      table: storage.table,
      encryptionKey: storage.key,
    });

    const portal = new Portal(this, 'Portal', {
      settings,
      restApi: api.restApi,
      assetPath: props.uiAssetPath ?? uiDist,
    });
    // Portal sessions' links: the portal's URL with the token in the fragment.
    api.apiFunction.function.addEnvironment('PORTAL_URL', portal.url);

    const pipeline = new EventPipeline(this, 'Pipeline', { settings, bus: events.bus, table: storage.table });
    api.allowDeliveryActions(pipeline.deliveryQueue, pipeline.deadLetterQueue);
    // webhook.disabled and webhook.enabled, when a customer changes a webhook's status.
    events.bus.grantPutEventsTo(api.apiFunction.function);

    if (settings.tracing) {
      new TraceSampling(this, 'TraceSampling', {
        fixedRate: settings.traceSamplePercent / 100,
        reservoirPerSecond: settings.traceReservoirPerSecond,
        stage: api.restApi.deploymentStage,
        functions: [pipeline.router.function, pipeline.delivery.function],
      });
    }

    const monitoring = new Monitoring(this, 'Monitoring', {
      settings,
      queues: {
        deliveries: pipeline.deliveryQueue,
        deliveryDeadLetters: pipeline.deadLetterQueue,
        orderedDeliveries: pipeline.orderedDeliveryQueue,
        orderedDeadLetters: pipeline.orderedDeadLetterQueue,
        routerDeadLetters: pipeline.routerDeadLetters,
        rejectedEvents: pipeline.rejectedEvents,
      },
      functions: {
        api: api.apiFunction.function,
        authorizer: api.authorizerFunction.function,
        router: pipeline.router.function,
        delivery: pipeline.delivery.function,
      },
      restApi: api.restApi,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.restApi.url, description: 'Base URL of the API stage' });
    new CfnOutput(this, 'PortalUrl', {
      value: portal.url,
      description:
        'The customer portal (POST /api/v2/{tenant}/portal-sessions answers links to it); it also serves the API under /api',
    });
    new CfnOutput(this, 'EventBusName', { value: events.bus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: events.bus.eventBusArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: pipeline.deadLetterQueue.queueUrl,
      description: 'Deliveries that ran out of attempts',
    });
    new CfnOutput(this, 'RejectedEventsQueueUrl', {
      value: pipeline.rejectedEvents.queueUrl,
      description: 'Platform events the router refused (schema), for an operator',
    });
    new CfnOutput(this, 'DashboardName', {
      value: monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard of deliveries, events, queues, functions and the API',
    });
    const alarmTopic = monitoring.alarmTopic ?? monitoring.notified[0];
    if (alarmTopic) {
      new CfnOutput(this, 'AlarmTopicArn', {
        value: alarmTopic.topicArn,
        description: 'SNS topic the alarms notify (the one made for herald.alarmEmail when given)',
      });
    }
    new CfnOutput(this, 'RestApiId', {
      value: api.restApi.restApiId,
      description: 'REST API id: part of each tenant usage-plan key value (npm run keys -- --stack <name>)',
    });
    new CfnOutput(this, 'TenantUsagePlanId', {
      value: api.tenantUsagePlan.usagePlanId,
      description: 'Usage plan throttling each tenant (npm run keys -- --stack <name> adds tenants to it)',
    });
    new CfnOutput(this, 'TableName', {
      value: storage.table.tableName,
      description: 'Herald table (npm run keys -- --stack <name> reads it)',
    });
  }
}
