import { allowsPort } from '../../functions/domain/target-ports';
import { readApiConfig, readDeliveryConfig } from '../../functions/shared/config';

const apiEnv = { TABLE_NAME: 'herald', HERALD_TOKEN_SIGNING_KEY: 'k'.repeat(32) };
const deliveryEnv = {
  TABLE_NAME: 'herald',
  DELIVERY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters',
  ORDERED_DELIVERY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ordered.fifo',
  ORDERED_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ordered-dlq.fifo',
};

describe.each([
  ['api', (env: NodeJS.ProcessEnv) => readApiConfig({ ...apiEnv, ...env }).allowedPorts],
  ['delivery', (env: NodeJS.ProcessEnv) => readDeliveryConfig({ ...deliveryEnv, ...env }).allowedPorts],
])('HERALD_ALLOWED_PORTS (%s function)', (_, allowedPorts) => {
  it('defaults to 443 and 1024-65535 when private targets are not allowed (deployed)', () => {
    const allowed = allowedPorts({ HERALD_ALLOW_PRIVATE_TARGETS: 'false' });
    expect(allowed.text).toBe('443,1024-65535');
    expect(allowsPort(allowed, 22)).toBe(false);
  });

  it('defaults to any port when private targets are allowed (local mode: loopback test ports)', () => {
    for (const unset of [undefined, '']) {
      const allowed = allowedPorts({ HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_ALLOWED_PORTS: unset });
      expect(allowsPort(allowed, 22)).toBe(true);
      expect(allowsPort(allowed, 80)).toBe(true);
    }
  });

  it('takes a rule given explicitly, in local mode too', () => {
    const allowed = allowedPorts({
      HERALD_ALLOW_PRIVATE_TARGETS: 'true',
      HERALD_ALLOWED_PORTS: '443,8000-9000',
    });
    expect(allowed.text).toBe('443,8000-9000');
    expect(allowsPort(allowed, 80)).toBe(false);
  });

  it('fails fast on a bad rule, naming the variable and the problem', () => {
    expect(() => allowedPorts({ HERALD_ALLOWED_PORTS: '443,2000-1000' })).toThrow(
      'Invalid configuration: HERALD_ALLOWED_PORTS: "2000-1000": the range ends before it starts',
    );
  });
});
