import {
  createMetrics,
  MetricName,
  metricsNamespace,
  metricsService,
  metricUnits,
} from '../../functions/shared/metrics';

/** The variables `createMetrics` reads, restored after each test. */
const variables = ['AWS_LAMBDA_FUNCTION_NAME', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_METRICS_NAMESPACE'];
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(variables.map((v) => [v, process.env[v]]));
  for (const v of variables) delete process.env[v];
});

afterEach(() => {
  for (const [v, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[v];
    else process.env[v] = value;
  }
});

/** Runs `emit` with stdout captured (Powertools writes EMF there) and returns the JSON documents written. */
function emitted(emit: () => void): unknown[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    emit();
  } finally {
    write.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

describe('metric names', () => {
  it('are exactly the metrics the alarms and dashboard read, each with its unit', () => {
    expect(Object.values(MetricName).sort()).toEqual(
      [
        'DeliveryDeadLettered',
        'DeliveryFailed',
        'DeliveryLatency',
        'DeliveryRetried',
        'DeliverySucceeded',
        'EventRejected',
        'EventRouted',
        'FanOut',
        'WebhookDisabled',
        'OperationalEventFailed',
      ].sort(),
    );
    for (const [key, name] of Object.entries(MetricName)) expect(key).toBe(name);
    expect(Object.keys(metricUnits).sort()).toEqual(Object.values(MetricName).sort());
    expect(metricUnits.DeliveryLatency).toBe('Milliseconds');
    expect(metricUnits.FanOut).toBe('Count');
  });
});

describe('createMetrics', () => {
  it('writes an EMF document in the Herald namespace with each name, unit and the service dimension', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const metrics = createMetrics();

    const documents = emitted(() => {
      metrics.addMetric(MetricName.DeliveryLatency, metricUnits.DeliveryLatency, 123);
      metrics.addMetric(MetricName.DeliverySucceeded, metricUnits.DeliverySucceeded, 1);
      metrics.publishStoredMetrics();
    });

    expect(documents).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: metricsNamespace,
              Dimensions: [['service']],
              Metrics: [
                expect.objectContaining({ Name: 'DeliveryLatency', Unit: 'Milliseconds' }),
                expect.objectContaining({ Name: 'DeliverySucceeded', Unit: 'Count' }),
              ],
            },
          ],
        },
        service: metricsService,
        DeliveryLatency: 123,
        DeliverySucceeded: 1,
      },
    ]);
    expect(metricsNamespace).toBe('Herald');
    expect(metricsService).toBe('herald');
  });

  it('takes the namespace from POWERTOOLS_METRICS_NAMESPACE, as deployed functions get it', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'HeraldStaging';
    const metrics = createMetrics();

    const [document] = emitted(() => {
      metrics.addMetric(MetricName.FanOut, metricUnits.FanOut, 3);
      metrics.publishStoredMetrics();
    });

    expect(document).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'HeraldStaging' }] },
      FanOut: 3,
    });
  });

  it('writes nothing outside Lambda unless POWERTOOLS_METRICS_DISABLED says otherwise (local mode, jest)', () => {
    const metrics = createMetrics();

    const documents = emitted(() => {
      metrics.addMetric(MetricName.EventRouted, metricUnits.EventRouted, 1);
      metrics.publishStoredMetrics();
    });

    expect(documents).toEqual([]);
  });

  it('writes by default inside Lambda', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'Herald-Delivery';
    const metrics = createMetrics();

    const documents = emitted(() => {
      metrics.addMetric(MetricName.DeliveryFailed, metricUnits.DeliveryFailed, 1);
      metrics.publishStoredMetrics();
    });

    expect(documents).toEqual([expect.objectContaining({ DeliveryFailed: 1 })]);
  });
});
