import { App } from 'aws-cdk-lib';
import { defaultSettings, resolveSettings, settingsFromContext } from '../../lib/config';

describe('settingsFromContext', () => {
  it('is the defaults when no herald.* context is set', () => {
    expect(settingsFromContext(new App().node)).toEqual(defaultSettings);
  });

  it('reads command-line strings: numbers as digits, lists comma-separated', () => {
    const app = new App({
      context: {
        'herald.busName': 'herald-staging',
        'herald.throttleRateLimit': '75',
        'herald.allowedEnvironments': 'staging, qa',
        'herald.defaultTypePrefix': 'credo.',
      },
    });
    expect(settingsFromContext(app.node)).toEqual({
      ...defaultSettings,
      busName: 'herald-staging',
      throttleRateLimit: 75,
      allowedEnvironments: ['staging', 'qa'],
      defaultTypePrefix: 'credo.',
    });
  });

  it('reads cdk.json values: numbers and arrays', () => {
    const app = new App({
      context: { 'herald.authorizerCacheSeconds': 0, 'herald.allowedEnvironments': ['production'] },
    });
    expect(settingsFromContext(app.node)).toMatchObject({
      authorizerCacheSeconds: 0,
      allowedEnvironments: ['production'],
    });
  });

  it('ignores context that is not herald.*', () => {
    const app = new App({ context: { '@aws-cdk/core:checkSecretUsage': true, heraldish: 'x' } });
    expect(settingsFromContext(app.node)).toEqual(defaultSettings);
  });

  it('rejects an unknown herald.* key, naming it and the known ones', () => {
    const app = new App({ context: { 'herald.busname': 'typo' } });
    expect(() => settingsFromContext(app.node)).toThrow(
      /unknown setting\(s\) herald\.busname \(known: herald\.eventSource/,
    );
  });
});

describe('resolveSettings', () => {
  it.each([
    [{ throttleRateLimit: 'fast' }, /herald\.throttleRateLimit:/],
    [{ throttleBurstLimit: 0 }, /herald\.throttleBurstLimit:/],
    [{ accessTokenTtlSeconds: 30 }, /herald\.accessTokenTtlSeconds:/],
    [{ authorizerCacheSeconds: 3601 }, /herald\.authorizerCacheSeconds:/],
    [{ logRetentionDays: 10 }, /herald\.logRetentionDays: must be one of 1, 3, 5/],
    [{ busName: 'has space' }, /herald\.busName:/],
    [{ busName: 'default' }, /herald\.busName: must not be "default"/],
    [{ eventSource: ' ' }, /herald\.eventSource:/],
    [{ allowedEnvironments: '' }, /herald\.allowedEnvironments: at least one value/],
    [{ allowedEnvironments: ['qa', 'qa'] }, /herald\.allowedEnvironments: values must be unique/],
    [{ allowedEnvironments: ['a,b'] }, /herald\.allowedEnvironments\.0:/],
    [{ alarmEmail: 'ops' }, /herald\.alarmEmail: an email address, or empty for none/],
    [{ alarmTopicArn: 'ops-pager' }, /herald\.alarmTopicArn: an SNS topic ARN/],
    [{ alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' }, /herald\.alarmTopicArn:/],
    [{ failureRateAlarmPercent: 0 }, /herald\.failureRateAlarmPercent:/],
    [{ failureRateAlarmPercent: 101 }, /herald\.failureRateAlarmPercent:/],
    [{ oldestMessageAlarmSeconds: 59 }, /herald\.oldestMessageAlarmSeconds:/],
    [{ allowedPorts: '443,2000-1000' }, /herald\.allowedPorts: "2000-1000": the range ends before it starts/],
    [{ allowedPorts: '' }, /herald\.allowedPorts: at least one port/],
    [{ allowedPorts: '0-65535' }, /herald\.allowedPorts: "0-65535": ports are 1 to 65535/],
  ])('rejects %j', (overrides, message) => {
    expect(() => resolveSettings(overrides)).toThrow(message);
  });

  it('reads the alarm settings: no notifications by default, an email, a topic ARN, thresholds as digits', () => {
    expect(defaultSettings).toMatchObject({
      alarmEmail: '',
      alarmTopicArn: '',
      failureRateAlarmPercent: 25,
      oldestMessageAlarmSeconds: 3600,
    });
    expect(
      resolveSettings({
        alarmEmail: ' ops@example.com ',
        alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-pager',
        failureRateAlarmPercent: '10',
        oldestMessageAlarmSeconds: '7200',
      }),
    ).toMatchObject({
      alarmEmail: 'ops@example.com',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-pager',
      failureRateAlarmPercent: 10,
      oldestMessageAlarmSeconds: 7200,
    });
  });

  it('limits outbound ports to 443 and 1024-65535 by default, and reads another rule as written', () => {
    expect(defaultSettings.allowedPorts).toBe('443,1024-65535');
    expect(resolveSettings({ allowedPorts: ' 443, 8443 ' }).allowedPorts).toBe('443,8443');
    // cdk.json may give a single port as a number.
    expect(resolveSettings({ allowedPorts: 443 }).allowedPorts).toBe('443');
  });

  it('names every bad setting at once', () => {
    expect(() => resolveSettings({ throttleRateLimit: -1, logRetentionDays: 2 })).toThrow(
      /herald\.throttleRateLimit.*; herald\.logRetentionDays/,
    );
  });
});
