#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromContext } from '../lib/config';
import { HeraldStack } from '../lib/herald-stack';
import { ensureUiBuilt } from '../local/ui';

async function main(): Promise<void> {
  // The portal's files are an asset of the stack: built first when their sources changed.
  await ensureUiBuilt();
  const app = new App();

  // Environment-agnostic on purpose: the account and region come from the deploying credentials.
  new HeraldStack(app, 'Herald', {
    description: 'Herald: outbound webhooks',
    settings: settingsFromContext(app.node),
  });

  // cdk-nag 3 is a policy-validation plugin: an unacknowledged error fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
