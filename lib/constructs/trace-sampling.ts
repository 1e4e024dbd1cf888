import { Names } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSamplingRule } from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

export interface TraceSamplingProps {
  /** Share of requests recorded past the reservoir, 0 to 1 (`herald.traceSamplePercent` / 100). */
  readonly fixedRate: number;
  /** Requests a second recorded before `fixedRate` applies (`herald.traceReservoirPerSecond`). */
  readonly reservoirPerSecond: number;
  /** The API stage: where a management request's trace starts (its functions follow its decision). */
  readonly stage: Stage;
  /**
   * The functions whose invocations start traces: the router (the bus rule passes no trace header
   * unless the platform traced its PutEvents) and the delivery function (a message queued without
   * one: a throttled re-queue, a redrive). Deliveries the router queued follow its decision, which
   * SQS carries in the message's AWSTraceHeader.
   */
  readonly functions: readonly IFunction[];
}

/**
 * X-Ray sampling rules for Herald's entry points, in place of the default rule (the first request a
 * second and 5% of the rest), which records every event at low traffic: traces are $5 per million,
 * the largest line of a sparse event's cost before this (docs/cost.md). Each rule matches one
 * resource of this stack only, so other applications in the account keep their own sampling.
 */
export class TraceSampling extends Construct {
  readonly rules: CfnSamplingRule[] = [];

  constructor(scope: Construct, id: string, props: TraceSamplingProps) {
    super(scope, id);
    const rule = (name: string, match: { serviceType: string; serviceName: string; resourceArn: string }) => {
      const scopeOfRule = new Construct(this, name);
      this.rules.push(
        new CfnSamplingRule(scopeOfRule, 'Rule', {
          samplingRule: {
            // Rule names are account-wide and at most 32 characters.
            ruleName: Names.uniqueResourceName(scopeOfRule, { maxLength: 32 }),
            // Before the default rule (10000), after any an operator adds with a lower number.
            priority: 1000,
            fixedRate: props.fixedRate,
            reservoirSize: props.reservoirPerSecond,
            serviceType: match.serviceType,
            serviceName: match.serviceName,
            resourceArn: match.resourceArn,
            host: '*',
            httpMethod: '*',
            urlPath: '*',
            version: 1,
          },
        }),
      );
    };
    rule('Api', {
      serviceType: 'AWS::ApiGateway::Stage',
      serviceName: '*',
      resourceArn: props.stage.stageArn,
    });
    for (const [i, fn] of props.functions.entries()) {
      rule(`Function${i}`, {
        serviceType: 'AWS::Lambda::Function',
        serviceName: fn.functionName,
        resourceArn: '*',
      });
    }
  }
}
