import { App, type PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defaultSettings, resolveSettings } from '../../lib/config';
import { HeraldStack } from '../../lib/herald-stack';

/** An app checked the way bin/herald.ts checks it. */
function checkedApp(): App {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/**
 * Synthesizes the app (cdk-nag runs as a validation plugin: an unacknowledged error throws),
 * then lists every unacknowledged finding, warnings included, with cdk-nag's own test entry
 * point on the prepared tree.
 */
function synthAndCollect(app: App): { synthError: Error | undefined; findings: string[] } {
  let synthError: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    synthError = e as Error;
  }
  const { violations } = new AwsSolutionsChecks().validateScope(app);
  return { synthError, findings: violations.flatMap(describeViolation) };
}

function describeViolation(v: PolicyViolation): string[] {
  return v.violatingResources.map(
    (r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`,
  );
}

describe('cdk-nag AwsSolutions on the Herald stack', () => {
  let result: ReturnType<typeof synthAndCollect>;

  beforeAll(() => {
    const app = checkedApp();
    new HeraldStack(app, 'Herald', { settings: defaultSettings });
    result = synthAndCollect(app);
  });

  it('synthesizes with the checks on', () => {
    expect(result.synthError?.message).toBeUndefined();
  });

  it('leaves no unacknowledged error or warning', () => {
    expect(result.findings).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions on the Herald stack with alarm notifications', () => {
  it('leaves no finding on the alarm topic, its key and subscription', () => {
    const app = checkedApp();
    const settings = resolveSettings({
      alarmEmail: 'ops@example.com',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-pager',
    });
    new HeraldStack(app, 'Herald', { settings });

    const { synthError, findings } = synthAndCollect(app);

    expect(synthError?.message).toBeUndefined();
    expect(findings).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions on a non-compliant stack (the check can fail)', () => {
  it('fails the synth and reports a queue with no DLQ and no TLS enforcement', () => {
    const app = checkedApp();
    new Queue(new Stack(app, 'Careless'), 'Queue');

    const { synthError, findings } = synthAndCollect(app);

    expect(synthError?.message).toMatch(/AwsSolutions-SQS3/);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error AwsSolutions-SQS3 at Careless\/Queue\/Resource:/),
        expect.stringMatching(/^error AwsSolutions-SQS4 at Careless\/Queue\/Resource:/),
      ]),
    );
  });

  it('passes once the same findings are acknowledged with a reason', () => {
    const app = checkedApp();
    const queue = new Queue(new Stack(app, 'Acknowledged'), 'Queue');
    Validations.of(queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'test: acknowledged on purpose' },
      { id: 'AwsSolutions-SQS4', reason: 'test: acknowledged on purpose' },
    );

    const { synthError, findings } = synthAndCollect(app);

    expect(synthError?.message).toBeUndefined();
    expect(findings.filter((f) => f.startsWith('error'))).toEqual([]);
  });
});
