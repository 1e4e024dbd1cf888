import type { PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { Command } from 'commander';
import { z } from 'zod';
import { findEventType } from '../../functions/domain/event-catalog';
import { envName, settingSpecs } from '../../functions/shared/settings';
import { localAwsConfig } from '../../local/aws-config';
import { type Context, globalsOf, tenantOf } from '../context';
import { readJsonObject } from '../input';
import { lazy } from '../lazy';
import { json, networkErrorCode, RefusedError, UnreachableError, UsageError } from '../output';
import { cliSettings } from '../settings';

/**
 * `herald publish`: one platform event on the bus, as the platform publishes it (DESIGN §2 "Platform
 * events"): to local mode's `PutEvents` endpoint, or to the deployed bus with AWS credentials.
 */

/** Where `PutEvents` goes: local mode's endpoint, or AWS (the SDK's own endpoint and credentials). */
export type EventsTarget = { kind: 'local'; url: string } | { kind: 'aws' };

/** `--aws`, or `HERALD_EVENTS_URL` set empty, means AWS; unset means local mode's default endpoint. */
export function eventsTargetOf(env: NodeJS.ProcessEnv, aws: boolean): EventsTarget {
  const setting = cliSettings.eventsUrl;
  const value = env[setting.env];
  if (aws || value === '') return { kind: 'aws' };
  const url = value ?? setting.default;
  if (!/^https?:\/\/[^/]/.test(url))
    throw new UsageError(`${setting.env} must be an http(s) URL, or empty for AWS, not ${url}`);
  return { kind: 'local', url };
}

const optionsSchema = z.object({
  environment: z.string(),
  data: z.string().optional(),
  id: z.string().optional(),
  bus: z.string().optional(),
  source: z.string().optional(),
  aws: z.boolean().optional(),
  check: z.boolean(),
});

/** A setting Herald itself reads (`HERALD_BUS_NAME`, `HERALD_EVENT_SOURCE`), with its default. */
function sharedSetting(env: NodeJS.ProcessEnv, name: 'busName' | 'eventSource'): string {
  const value = env[envName(name)];
  return value === undefined || value === '' ? settingSpecs[name].default : value;
}

async function publish(context: Context, eventType: string, command: Command): Promise<void> {
  const options = optionsSchema.parse(command.opts());
  const globals = globalsOf(command);
  const tenant = tenantOf(globals, context.env);
  const target = eventsTargetOf(context.env, options.aws === true);
  const busName = options.bus ?? sharedSetting(context.env, 'busName');
  const source = options.source ?? sharedSetting(context.env, 'eventSource');
  const example = findEventType(eventType)?.example;
  if (options.data === undefined && !example)
    throw new UsageError(`${eventType} is not in the catalog, so it has no example: give --data.`);
  const data =
    options.data === undefined ? { ...example } : readJsonObject(options.data, context.cwd, '--data');
  const detail = {
    tenant,
    environment: options.environment,
    ...(options.id === undefined ? {} : { id: options.id }),
    data,
  };

  if (options.check) {
    // The router's own check, so a mistake is said here rather than found on the rejected-events queue.
    const checked = lazy.platformEvent().parsePlatformEvent({
      id: 'herald-cli-check',
      'detail-type': eventType,
      source,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      detail,
    });
    if (!checked.ok)
      throw new UsageError(
        `Herald would not deliver this event (${checked.reason}): ${checked.problems.join('; ')}. Pass --no-check to publish it anyway.`,
      );
  }

  const { EventBridgeClient, PutEventsCommand } = lazy.eventBridge();
  const client =
    target.kind === 'local'
      ? new EventBridgeClient({ ...localAwsConfig, endpoint: target.url, maxAttempts: 1 })
      : new EventBridgeClient({});
  const where = target.kind === 'local' ? target.url : `bus ${busName} on AWS`;
  let result: PutEventsCommandOutput;
  try {
    result = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: busName, Source: source, DetailType: eventType, Detail: JSON.stringify(detail) },
        ],
      }),
    );
  } catch (error) {
    const code = networkErrorCode(error);
    if (code && target.kind === 'local')
      throw new UnreachableError(
        `Could not reach the PutEvents endpoint at ${target.url} (${code}): is local mode running (npm start)? Set ${cliSettings.eventsUrl.env}= (empty) or pass --aws for the deployed bus.`,
      );
    throw error;
  } finally {
    client.destroy();
  }
  const entry = result.Entries?.[0];
  if (!entry?.EventId || (result.FailedEntryCount ?? 0) > 0) {
    throw new RefusedError([
      {
        code: entry?.ErrorCode ?? 'failed_entry',
        title: `PutEvents (${where}) refused the event`,
        detail:
          `PutEvents (${where}) refused the event: ${entry?.ErrorCode ?? 'no event id'}: ${entry?.ErrorMessage ?? ''}`.trim(),
      },
    ]);
  }
  if (globals.json) {
    context.output.out(json({ FailedEntryCount: result.FailedEntryCount ?? 0, Entries: result.Entries }));
    return;
  }
  const c = context.output.color;
  context.output.out(
    `Published ${c.bold(eventType)} for tenant ${tenant} (${options.environment}) to ${where}: event id ${c.bold(entry.EventId)}`,
  );
}

export function publishCommand(context: Context): Command {
  return new Command('publish')
    .description('publish a platform event (PutEvents), as the platform does')
    .argument('<event_type>', 'the event type (DetailType), e.g. use_case_review_status_updated')
    .option('--environment <environment>', "the event's environment", 'production')
    .option(
      '--data <json>',
      "the event's data: JSON ('{...}') or @file.json (default: the catalog's example for the type)",
    )
    .option('--id <event_id>', "the platform's event id: a retry with the same id is the same event")
    .option('--bus <name>', `the bus (default: ${envName('busName')} or ${settingSpecs.busName.default})`)
    .option(
      '--source <source>',
      `the event source (default: ${envName('eventSource')} or ${settingSpecs.eventSource.default})`,
    )
    .option(
      '--aws',
      `publish to the deployed bus with your AWS credentials (also: ${cliSettings.eventsUrl.env}=)`,
    )
    .option('--no-check', "publish even what Herald's router would refuse (rehearse a bad event)")
    .addHelpText(
      'after',
      `
The event's tenant is --tenant (${cliSettings.tenant.env}, default ${cliSettings.tenant.default}). It goes to
${cliSettings.eventsUrl.env} (default ${cliSettings.eventsUrl.default}, local mode), or with --aws to the deployed bus.
Prints the event id; --json prints PutEvents' answer.

Examples:
  herald publish use_case_review_status_updated
  herald publish use_case_name_updated --data '{"useCaseId":"u1","name":"Loans","user":{"email":"a@b.c","userId":"x"}}'
  herald publish use_case_review_status_updated --data @event.json --id evt_123`,
    )
    .action((eventType: string, _options: unknown, command: Command) => publish(context, eventType, command));
}
