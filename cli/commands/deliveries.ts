import { Command, Option } from 'commander';
import { z } from 'zod';
import type { DeliveryListQuery, DeliveryResource, RecoveryAttributes } from '../../clients/typescript/src';
import { apiAction, forwarded, nextCursor } from '../api';
import type { Context } from '../context';
import { fields, json, table } from '../output';
import { pageOptions, pageQuery, wantsAll } from './paging';

/**
 * `herald deliveries`: a webhook's delivery log (filtered and paged as the API allows), one
 * delivery with its attempts, and sending again what failed.
 */

const filterOptionsSchema = z.object({
  status: z.string().optional(),
  eventType: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
});

/** The log's filters from the flags; the API judges the values (a bad one answers 400 naming it). */
function filterQuery(command: Command): Record<string, string> {
  const o = filterOptionsSchema.parse(command.opts());
  const query: Record<string, string> = {};
  if (o.status !== undefined) query['filter[status]'] = o.status;
  if (o.eventType !== undefined) query['filter[event_type]'] = o.eventType;
  if (o.since !== undefined) query['filter[since]'] = o.since;
  if (o.until !== undefined) query['filter[until]'] = o.until;
  return query;
}

const deliveryHead = ['ID', 'EVENT TYPE', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT ATTEMPT', 'CREATED'];

function deliveryRows(deliveries: DeliveryResource[]): unknown[][] {
  return deliveries.map((d) => {
    const a = d.attributes;
    return [
      d.id,
      a.event_type,
      a.status,
      a.attempt_count,
      a.last_status_code ?? a.last_error ?? '',
      a.next_attempt_at,
      a.created_at,
    ];
  });
}

export function deliveriesCommand(context: Context): Command {
  const { output } = context;
  const out = (text: string) => output.out(text);
  const deliveries = new Command('deliveries')
    .description("a webhook's delivery log: list, get, retry, recover")
    .addHelpText(
      'after',
      `
A delivery's id is the webhook-id its receiver saw. Retry and recovery keep it, so receivers that
dedupe see one delivery, attempted again.

Examples:
  herald deliveries list wh_... --status failed --since 2026-11-24T00:00:00Z --all
  herald deliveries get wh_... msg_...
  herald deliveries recover wh_... --since 2026-11-24T00:00:00Z`,
    );

  deliveries.addCommand(
    pageOptions(new Command('list'))
      .description("list a webhook's deliveries, newest event first")
      .argument('<webhook_id>', 'the webhook id')
      .addOption(
        new Option('--status <status>', 'only deliveries in this state').choices([
          'pending',
          'retrying',
          'succeeded',
          'failed',
        ]),
      )
      .option('--event-type <type>', 'only this event type')
      .option('--since <time>', 'created at or after (RFC 3339)')
      .option('--until <time>', 'created at or before (RFC 3339)')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, command, webhookId) => {
          const query = forwarded<DeliveryListQuery>().parse({
            ...filterQuery(command),
            ...pageQuery(command),
          });
          if (wantsAll(command)) {
            const all: DeliveryResource[] = [];
            for await (const delivery of client.deliveries.listAll(webhookId, query)) all.push(delivery);
            out(asJson ? json({ data: all }) : table(output, deliveryHead, deliveryRows(all)));
            return;
          }
          const page = await client.deliveries.list(webhookId, query);
          if (asJson) return out(json(page));
          out(page.data.length ? table(output, deliveryHead, deliveryRows(page.data)) : 'No deliveries.');
          const cursor = nextCursor(page.links.next);
          if (cursor) out(output.color.dim(`More: --after ${cursor} (or --all)`));
        }),
      ),
  );

  deliveries.addCommand(
    new Command('get')
      .description('show a delivery: its state, every attempt, and the payload sent')
      .argument('<webhook_id>', 'the webhook id')
      .argument('<delivery_id>', "the delivery id (the receiver's webhook-id)")
      .action(
        apiAction.two(context, async ({ client, json: asJson }, _command, webhookId, deliveryId) => {
          const document = await client.deliveries.get(webhookId, deliveryId);
          if (asJson) return out(json(document));
          const a = document.data.attributes;
          out(
            fields(output, [
              ['id', document.data.id],
              ['event', `${a.event_type} ${a.event_id}${a.environment ? ` (${a.environment})` : ''}`],
              ['status', a.status],
              ['next attempt', a.next_attempt_at],
              ['created', a.created_at],
            ]),
          );
          out('');
          out(
            table(
              output,
              ['#', 'TIME', 'TRIGGER', 'OUTCOME', 'STATUS', 'MS', 'ERROR OR RESPONSE'],
              a.attempts.map((t) => [
                t.attempt,
                t.time,
                t.trigger,
                t.outcome,
                t.status_code,
                t.duration_ms,
                (t.error ?? t.response_excerpt ?? '').slice(0, 60),
              ]),
            ),
          );
          out(`\n${JSON.stringify(a.payload, null, 2)}`);
        }),
      ),
  );

  deliveries.addCommand(
    new Command('retry')
      .description('send a delivery again, now (same webhook-id)')
      .argument('<webhook_id>', 'the webhook id')
      .argument('<delivery_id>', 'the delivery id')
      .action(
        apiAction.two(context, async ({ client, json: asJson }, _command, webhookId, deliveryId) => {
          const document = await client.deliveries.retry(webhookId, deliveryId);
          out(asJson ? json(document) : `Queued ${deliveryId} again.`);
        }),
      ),
  );

  deliveries.addCommand(
    new Command('recover')
      .description('send again every failed delivery created in a time range (once each)')
      .argument('<webhook_id>', 'the webhook id')
      .requiredOption('--since <time>', 'from this time (RFC 3339), included')
      .option('--until <time>', 'to this time (RFC 3339), included (default: now)')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, command, webhookId) => {
          const o = filterOptionsSchema.parse(command.opts());
          const document = await client.deliveries.recover(
            webhookId,
            forwarded<RecoveryAttributes>().parse({ since: o.since, ...(o.until ? { until: o.until } : {}) }),
          );
          if (asJson) return out(json(document));
          const a = document.data.attributes;
          out(
            `Queued ${a.queued} failed deliveries again (${a.queued_from_dead_letter_queue} from the dead-letter queue).` +
              (a.more ? ' More remain: run it again.' : ''),
          );
        }),
      ),
  );
  return deliveries;
}
