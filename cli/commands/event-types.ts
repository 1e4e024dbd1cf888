import { Command } from 'commander';
import { z } from 'zod';
import { apiAction } from '../api';
import type { Context } from '../context';
import { json, table } from '../output';

/** `herald event-types`: the catalog a webhook subscribes from, with example payloads on request. */
export function eventTypesCommand(context: Context): Command {
  const { output } = context;
  return new Command('event-types')
    .description('the event type catalog a webhook can subscribe to')
    .option('--examples', "show each type's example data payload")
    .action(
      apiAction.none(context, async ({ client, json: asJson }, command) => {
        const document = await client.eventTypes.list();
        if (asJson) return output.out(json(document));
        const examples = z.object({ examples: z.boolean().optional() }).parse(command.opts()).examples;
        if (!examples) {
          output.out(
            table(
              output,
              ['NAME', 'GROUP', 'DESCRIPTION'],
              document.data.map((t) => [
                t.attributes.name + (t.attributes.deprecated ? ' (deprecated)' : ''),
                t.attributes.group,
                t.attributes.description,
              ]),
            ),
          );
          return;
        }
        for (const t of document.data) {
          output.out(
            `${output.color.bold(t.attributes.name)}${t.attributes.deprecated ? ' (deprecated)' : ''}  ${output.color.dim(t.attributes.description)}`,
          );
          output.out(`${JSON.stringify(t.attributes.example, null, 2).replace(/^/gm, '  ')}\n`);
        }
      }),
    );
}
