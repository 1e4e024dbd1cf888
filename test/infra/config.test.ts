import { App } from 'aws-cdk-lib';
import { defaultSettings, functionEnvironment, resolveSettings, settingsFromContext } from '../../lib/config';

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
    [{ allowedPorts: '0-65535' }, /herald\.allowedPorts: "0-65535": ports are 1 to 65535/],
    [{ tenantRateLimit: 0 }, /herald\.tenantRateLimit:/],
    [{ exchangeBurstLimit: 'many' }, /herald\.exchangeBurstLimit:/],
    // Lambda's SQS event sources accept a maximum concurrency of 2 to 1000.
    [{ deliveryMaxConcurrency: 1 }, /herald\.deliveryMaxConcurrency:/],
    [{ deliveryMaxConcurrency: 1001 }, /herald\.deliveryMaxConcurrency:/],
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
    // Empty means the default; the functions are given the rule itself.
    expect(functionEnvironment(resolveSettings({ allowedPorts: '' }), 'delivery').HERALD_ALLOWED_PORTS).toBe(
      '443,1024-65535',
    );
  });

  it('limits each tenant to 25 requests/s (burst 50) and the key exchange to 10/s (burst 20), under the stage', () => {
    expect(defaultSettings).toMatchObject({
      throttleRateLimit: 500,
      throttleBurstLimit: 1000,
      tenantRateLimit: 25,
      tenantBurstLimit: 50,
      exchangeRateLimit: 10,
      exchangeBurstLimit: 20,
      deliveryMaxConcurrency: 50,
    });
    expect(
      resolveSettings({ tenantRateLimit: '50', tenantBurstLimit: '100', exchangeRateLimit: '1' }),
    ).toMatchObject({ tenantRateLimit: 50, tenantBurstLimit: 100, exchangeRateLimit: 1 });
  });

  it.each([
    [
      { tenantRateLimit: 60, throttleRateLimit: 50 },
      'herald.tenantRateLimit: 60 is above herald.throttleRateLimit (50), the stage ceiling: raise that too, or lower this',
    ],
    [
      { throttleBurstLimit: 40 },
      'herald.tenantBurstLimit: 50 is above herald.throttleBurstLimit (40), the stage ceiling: raise that too, or lower this',
    ],
    [
      { exchangeRateLimit: 51, throttleRateLimit: 50 },
      'herald.exchangeRateLimit: 51 is above herald.throttleRateLimit (50), the stage ceiling: raise that too, or lower this',
    ],
    [
      { exchangeBurstLimit: 101, throttleBurstLimit: 100 },
      'herald.exchangeBurstLimit: 101 is above herald.throttleBurstLimit (100), the stage ceiling: raise that too, or lower this',
    ],
  ])('fails the synth when a limit exceeds the stage throttle: %j', (overrides, message) => {
    expect(() => resolveSettings(overrides)).toThrow(message);
  });

  it('names every bad setting at once', () => {
    expect(() => resolveSettings({ throttleRateLimit: -1, logRetentionDays: 2 })).toThrow(
      /herald\.throttleRateLimit.*; herald\.logRetentionDays/,
    );
  });
});
