import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { tableSchema } from '../../functions/shared/table-schema';

/**
 * Herald's single DynamoDB table (layout in `functions/shared/table-schema.ts`, which local mode
 * also uses) and the customer-managed KMS key that encrypts it and Herald's secrets.
 *
 * Both are retained when the stack is deleted: the table holds tenants' webhooks and API keys.
 */
export class Storage extends Construct {
  /** Encrypts the table and the token-signing secret. */
  readonly key: Key;
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      description: 'Herald: encrypts the table and the token-signing secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // `Table` rather than `TableV2`: cdk-nag checks point-in-time recovery on
    // AWS::DynamoDB::Table only, and one region needs no global table.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableSchema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSchema.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
