import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeyCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { tenantUsageKey } from '../../functions/shared/authorizer-policy';
import { runKeys } from '../../scripts/keys';
import { emulatorEndpoints, freshTable } from '../helpers';

/**
 * `npm run keys` against a deployment: the tenant's key goes into the table (DynamoDB Local
 * here), and the tenant gets its usage-plan key in API Gateway, which has no emulator, so API
 * Gateway and CloudFormation are mocked with what they answer.
 */
const apiGateway = mockClient(APIGatewayClient);
const cloudFormation = mockClient(CloudFormationClient);
const restApiId = 'a1b2c3d4e5';
const usagePlanId = 'plan42';
let tableName: string;

const notFound = () => new NotFoundException({ message: 'Invalid Usage Plan Key', $metadata: {} });
const conflict = () => new ConflictException({ message: 'API Key already exists', $metadata: {} });

function stackOutputs(outputs: Record<string, string>) {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Herald' }).resolves({
    Stacks: [
      {
        StackName: 'Herald',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

async function keys(...args: string[]): Promise<string> {
  const lines: string[] = [];
  await runKeys(args, (line) => lines.push(line));
  return lines.join('\n');
}

beforeAll(async () => {
  tableName = (await freshTable()).tableName;
});

beforeEach(() => {
  apiGateway.reset();
  cloudFormation.reset();
  stackOutputs({ TableName: tableName, RestApiId: restApiId, TenantUsagePlanId: usagePlanId });
});

describe('npm run keys against a stack', () => {
  it("creates a tenant's key and its usage-plan key, whose value the authorizer returns", async () => {
    apiGateway.on(GetApiKeysCommand).resolves({ items: [] });
    apiGateway.on(CreateApiKeyCommand).resolves({ id: 'apikey1', enabled: true });
    apiGateway.on(GetUsagePlanKeyCommand).rejects(notFound());
    apiGateway.on(CreateUsagePlanKeyCommand).resolves({ id: 'apikey1' });

    const out = await keys('create', 'acme', '--stack', 'Herald', '--endpoint', emulatorEndpoints().dynamoDb);

    expect(out).toMatch(/Created key key_\S+ for tenant acme/);
    expect(out).toMatch(/hrld_\S+/);
    expect(apiGateway.commandCalls(CreateApiKeyCommand)[0]?.args[0].input).toMatchObject({
      name: `herald-${restApiId}-acme`,
      value: tenantUsageKey(restApiId, 'acme'),
      enabled: true,
    });
    expect(apiGateway.commandCalls(CreateUsagePlanKeyCommand)[0]?.args[0].input).toEqual({
      usagePlanId,
      keyId: 'apikey1',
      keyType: 'API_KEY',
    });
    expect(out).toContain(`usage plan ${usagePlanId}`);
    // The usage-plan key value is an identifier, but it stays out of the output all the same.
    expect(out).not.toContain(tenantUsageKey(restApiId, 'acme'));
  });

  it('provisions an existing tenant again without a second key or a second attachment', async () => {
    apiGateway.on(GetApiKeysCommand).resolves({
      items: [
        { id: 'other', name: `herald-${restApiId}-acme-old`, value: 'x'.repeat(30), enabled: true },
        {
          id: 'apikey1',
          name: `herald-${restApiId}-acme`,
          value: tenantUsageKey(restApiId, 'acme'),
          enabled: true,
        },
      ],
    });
    apiGateway.on(GetUsagePlanKeyCommand).resolves({ id: 'apikey1', type: 'API_KEY' });

    const out = await keys('provision', 'acme', '--stack', 'Herald');

    expect(apiGateway.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
    expect(apiGateway.commandCalls(CreateUsagePlanKeyCommand)).toHaveLength(0);
    expect(out).toContain('apikey1');
    expect(out).toMatch(/already/);
  });

  it('finds a key renamed by hand through its value, and attaches it', async () => {
    apiGateway
      .on(GetApiKeysCommand, { nameQuery: `herald-${restApiId}-acme` })
      .resolves({ items: [] })
      .on(GetApiKeysCommand, { nameQuery: undefined })
      .resolves({ items: [{ id: 'renamed', name: 'acme', value: tenantUsageKey(restApiId, 'acme') }] });
    apiGateway.on(CreateApiKeyCommand).rejects(conflict());
    apiGateway.on(GetUsagePlanKeyCommand).rejects(notFound());
    apiGateway.on(CreateUsagePlanKeyCommand).resolves({ id: 'renamed' });

    await keys('provision', 'acme', '--stack', 'Herald');

    expect(apiGateway.commandCalls(CreateUsagePlanKeyCommand)[0]?.args[0].input.keyId).toBe('renamed');
  });

  it('says so when the tenant’s usage-plan key is disabled (its requests answer 403)', async () => {
    apiGateway.on(GetApiKeysCommand).resolves({
      items: [
        {
          id: 'apikey1',
          name: `herald-${restApiId}-acme`,
          value: tenantUsageKey(restApiId, 'acme'),
          enabled: false,
        },
      ],
    });
    apiGateway.on(GetUsagePlanKeyCommand).resolves({ id: 'apikey1' });

    expect(await keys('provision', 'acme', '--stack', 'Herald')).toMatch(/disabled/);
  });

  it('refuses to provision without a stack, and names a stack that lacks the outputs', async () => {
    await expect(keys('provision', 'acme', '--table', tableName)).rejects.toThrow(/--stack/);
    stackOutputs({ TableName: tableName });
    await expect(keys('provision', 'acme', '--stack', 'Herald')).rejects.toThrow(
      /Stack Herald has no RestApiId output/,
    );
  });
});
