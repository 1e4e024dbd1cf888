import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { apiAction } from '../api';
import type { Context } from '../context';
import { json } from '../output';

const capabilities = ['read', 'write', 'secrets'] as const;

function seconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number of seconds');
  return Number(value);
}

const optionsSchema = z.object({
  expiresIn: z.number().optional(),
  readOnly: z.boolean().optional(),
  capabilities: z.array(z.enum(capabilities)).optional(),
  returnUrl: z.string().optional(),
  name: z.string().optional(),
  accentColor: z.string().optional(),
});

/**
 * `herald portal`: a link to the customer portal for the tenant, as the platform opens one for
 * its customer (`POST /portal-sessions`); `herald portal revoke` ends them all.
 */
export function portalCommand(context: Context): Command {
  const { output } = context;
  const portal = new Command('portal').description(
    "the customer portal: open a session link for the tenant (the platform's side), or end them all",
  );
  portal
    .command('open', { isDefault: true })
    .description('print a portal link for the tenant; the token rides in the fragment')
    .addOption(
      new Option('--expires-in <seconds>', 'how long it lasts (60 to 604800, default 3600)').argParser(
        seconds,
      ),
    )
    .option('--read-only', 'the customer may look but not change anything')
    .addOption(
      new Option('--capabilities <list...>', 'what the session may do (default all)').choices([
        ...capabilities,
      ]),
    )
    .option('--return-url <url>', "where the portal's back link and expiry page send the customer")
    .option('--name <name>', "the platform's name in the portal's header")
    .option('--accent-color <#rrggbb>', "the portal's accent colour")
    .action(
      apiAction.none(context, async ({ client, json: asJson }, command) => {
        const o = optionsSchema.parse(command.opts());
        const theme = {
          ...(o.name ? { name: o.name } : {}),
          ...(o.accentColor ? { accent_color: o.accentColor } : {}),
        };
        const session = await client.portalSessions.create({
          ...(o.expiresIn !== undefined ? { expires_in: o.expiresIn } : {}),
          ...(o.readOnly
            ? { capabilities: ['read'] }
            : o.capabilities
              ? { capabilities: o.capabilities }
              : {}),
          ...(o.returnUrl ? { return_url: o.returnUrl } : {}),
          ...(Object.keys(theme).length > 0 ? { theme } : {}),
        });
        if (asJson) return output.out(json(session));
        const { url, expires_at: expiresAt, capabilities: granted } = session.data.attributes;
        output.out(url);
        output.err(output.errColor.dim(`until ${expiresAt}; may ${granted.join(', ')}`));
      }),
    );
  portal
    .command('revoke')
    .description("end every portal session of the tenant (the tenant's own key only)")
    .action(
      apiAction.none(context, async ({ client, json: asJson }) => {
        await client.portalSessions.revokeAll();
        if (asJson) return output.out(json({ revoked: true }));
        output.out('Every portal session of the tenant has ended.');
      }),
    );
  return portal;
}
