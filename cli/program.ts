import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { deliveriesCommand } from './commands/deliveries';
import { eventTypesCommand } from './commands/event-types';
import { keysCommand } from './commands/keys';
import { listenCommand } from './commands/listen';
import { portalCommand } from './commands/portal';
import { publishCommand } from './commands/publish';
import { webhooksCommand } from './commands/webhooks';
import type { Context } from './context';
import { exitCodes, exitCodesHelp, reportFailure } from './output';
import { type CliSetting, cliSettings } from './settings';

/**
 * The `herald` command line: its commands, global flags and help. Built per run with where to write,
 * so tests and `npm run keys` can run it in-process.
 */

function settingsHelp(): string {
  const rows = Object.values<CliSetting>(cliSettings).map((s) =>
    `  ${s.env.padEnd(18)} ${(s.flag ?? '').padEnd(10)} ${s.default ? `default ${s.default}` : ''}`.trimEnd(),
  );
  return `Settings (environment; a flag overrides its variable):\n${rows.join('\n')}\n  See docs/configuration.md.`;
}

export function buildProgram(context: Context): Command {
  const { output } = context;
  const program = new Command('herald')
    .description("Herald's command line: webhooks, deliveries and events, against local mode or a deployment")
    .version(version, '-V, --version', 'print the version')
    .option('--json', "print the API's JSON (for scripts) instead of tables")
    .option('--api-url <url>', `the API's root (${cliSettings.apiUrl.env})`)
    .option(
      '--tenant <tenant>',
      `the tenant (${cliSettings.tenant.env}, default ${cliSettings.tenant.default})`,
    )
    .option('--api-key <key>', `the tenant's API key (${cliSettings.apiKey.env})`)
    .helpOption('-h, --help', 'print help')
    .helpCommand('help [command]', 'print help for a command')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text.replace(/\n$/, '')),
      writeErr: (text) => output.err(text.replace(/\n$/, '')),
      outputError: (text, write) => write(output.errColor.red(text)),
    })
    .addHelpText('after', `\n${settingsHelp()}\n\n${exitCodesHelp}`);

  // Subcommands inherit the settings above (exit override, output, help flags) when added after them.
  for (const make of [
    webhooksCommand,
    deliveriesCommand,
    eventTypesCommand,
    publishCommand,
    listenCommand,
    portalCommand,
    keysCommand,
  ]) {
    const command = make(context);
    program.addCommand(command);
    inheritSettings(program, command);
  }
  return program;
}

/** `addCommand` takes a command as built; give it, and its own subcommands, the program's settings. */
function inheritSettings(parent: Command, command: Command): void {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(command, sub);
}

/** The exit code for what commander threw: 0 for help and version, else a usage error. */
function commanderExit(error: CommanderError): number {
  return ['commander.helpDisplayed', 'commander.version'].includes(error.code)
    ? exitCodes.ok
    : exitCodes.usage;
}

/**
 * Runs `herald` with `argv` (the arguments after `herald`) and answers the exit code; never exits
 * the process, never throws: failures are reported on stderr.
 */
export async function runCli(argv: string[], context: Context): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error);
    return reportFailure(context.output, error, program.opts().json === true);
  }
}
