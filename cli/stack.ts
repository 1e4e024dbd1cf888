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
import { tenantUsageKey } from '../functions/shared/authorizer-policy';
import { UsageError } from './output';

/**
 * What `herald keys` does in a deployed stack beyond its table: read the stack's outputs, and give a
 * tenant its key in the stack's usage plan. Loaded only with `--stack` (cli/lazy.ts).
 */

/** Reads one output of a deployed stack. */
export async function stackOutput(stackName: string, name: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === name)?.OutputValue;
  if (!output) throw new UsageError(`Stack ${stackName} has no ${name} output.`);
  return output;
}

/** What provisioning found or did in API Gateway. */
export interface UsageKeyProvisioning {
  apiKeyId: string;
  created: boolean;
  attached: boolean;
  enabled: boolean;
}

/** The API Gateway key whose value is `value` (looking among the keys named `nameQuery`, or all). */
async function findUsageKey(
  client: APIGatewayClient,
  value: string,
  nameQuery?: string,
): Promise<{ id: string; enabled: boolean } | undefined> {
  let position: string | undefined;
  do {
    const page = await client.send(
      new GetApiKeysCommand({ nameQuery, includeValues: true, limit: 500, position }),
    );
    const found = page.items?.find((k) => k.value === value && k.id);
    if (found?.id) return { id: found.id, enabled: found.enabled !== false };
    position = page.position;
  } while (position);
  return undefined;
}

/**
 * Gives a tenant its key in the stack's usage plan, so that API Gateway throttles it on its own:
 * an API Gateway API key whose value is the usage identifier the authorizer returns for the tenant
 * ({@link tenantUsageKey}), attached to the plan. Idempotent: an existing key (by value) is reused
 * and an existing attachment kept. A disabled key is left disabled: an operator may have disabled
 * it to stop the tenant.
 */
export async function provisionUsageKey(
  client: APIGatewayClient,
  target: { restApiId: string; usagePlanId: string },
  tenant: string,
): Promise<UsageKeyProvisioning> {
  const value = tenantUsageKey(target.restApiId, tenant);
  const name = `herald-${target.restApiId}-${tenant}`;
  let key = await findUsageKey(client, value, name);
  let created = false;
  if (!key) {
    try {
      const made = await client.send(
        new CreateApiKeyCommand({
          name,
          value,
          enabled: true,
          description: `Herald tenant ${tenant}: its API throttle. The value identifies the tenant to the usage plan; it is no credential.`,
        }),
      );
      if (!made.id) throw new Error(`API Gateway made no id for the key of tenant ${tenant}.`);
      key = { id: made.id, enabled: made.enabled !== false };
      created = true;
    } catch (error) {
      // Values are unique: the key exists under another name (renamed by hand).
      if (!(error instanceof ConflictException)) throw error;
      key = await findUsageKey(client, value);
      if (!key) throw error;
    }
  }
  let attached = false;
  try {
    await client.send(new GetUsagePlanKeyCommand({ usagePlanId: target.usagePlanId, keyId: key.id }));
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    try {
      await client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: target.usagePlanId, keyId: key.id, keyType: 'API_KEY' }),
      );
      attached = true;
    } catch (conflict) {
      // Attached meanwhile by another run.
      if (!(conflict instanceof ConflictException)) throw conflict;
    }
  }
  return { apiKeyId: key.id, created, attached, enabled: key.enabled };
}

/** A tenant's place in a stack's usage plan, after provisioning. */
export interface Provisioned extends UsageKeyProvisioning {
  usagePlanId: string;
}

/** Provisions `tenant` in the usage plan of stack `stackName` (from its outputs). */
export async function provisionTenant(stackName: string, tenant: string): Promise<Provisioned> {
  const restApiId = await stackOutput(stackName, 'RestApiId');
  const usagePlanId = await stackOutput(stackName, 'TenantUsagePlanId');
  const result = await provisionUsageKey(new APIGatewayClient({}), { restApiId, usagePlanId }, tenant);
  return { ...result, usagePlanId };
}
