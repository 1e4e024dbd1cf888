import type { Command } from 'commander';
import { bufferedOutput } from '../cli/output';
import { buildProgram } from '../cli/program';

/**
 * docs/cli.md: a walk-through, then every command's `--help` as the CLI prints it (so the reference
 * cannot drift from the code). `npm run docs` rewrites it, and a test fails when the committed file
 * differs.
 */

const intro = `# The \`herald\` CLI

<!-- Written by \`npm run docs\` (scripts/cli-doc.ts) from the CLI's own help; edit cli/, not this. -->

\`herald\` manages webhooks and deliveries, publishes events as the platform does, and receives
deliveries on your machine, so nothing needs curl. It is the repository's bin: \`npx herald ...\`
in the repository (or \`node cli/herald.mjs ...\`). It is built on the TypeScript client
([clients/typescript](../clients/typescript/README.md)). With no settings it talks to local mode
(\`npm start\`), with the demo tenant's key local mode keeps; against a deployment set
\`HERALD_API_URL\`, \`HERALD_TENANT\` and \`HERALD_API_KEY\` ([configuration.md](configuration.md#the-herald-cli)).

Tables are for people; \`--json\` prints the API's JSON for scripts (\`jq\`), on every command.
A failure prints the API's error detail, with the field it points at, on stderr, and exits non-zero
(1 refused, 2 bad usage, 3 Herald not reachable).

## Watch a delivery arrive

\`\`\`sh
npm start                                       # terminal 1: local mode
npx herald webhooks create --description "Test webhook" --url http://127.0.0.1:4000/hook \\
  --event-types use_case_review_status_updated --event-type-prefix CredoAI --event-type-suffix v1 \\
  --environment production                      # prints the webhook and its signing secret
npx herald listen --secret whsec_...            # terminal 2: prints each delivery, verified
npx herald webhooks test wh_...                 # the catalog's example, sent now
npx herald publish use_case_review_status_updated   # an event, as the platform publishes it
npx herald deliveries list wh_...               # the delivery log
\`\`\`

\`herald listen --status 500\` answers every delivery with a 500: the log then shows the failed
attempts and the retries, and \`herald deliveries retry\` / \`recover\` send them again.

## Reference
`;

/** Each command, depth first, with its parent's name before it. */
function commandsOf(command: Command, path: string[] = []): Array<{ name: string; command: Command }> {
  const name = [...path, command.name()];
  return [{ name: name.join(' '), command }, ...command.commands.flatMap((c) => commandsOf(c, name))];
}

export function cliDoc(): string {
  let text = '';
  const program = buildProgram({
    output: bufferedOutput((line) => {
      text += `${line}\n`;
    }),
    // The documented defaults, not this machine's settings.
    env: {},
    cwd: '.',
  });
  const sections = commandsOf(program)
    .filter(({ command }) => command.name() !== 'help')
    .map(({ name, command }) => {
      // A fixed width, so the file does not depend on the terminal it was written from.
      command.configureHelp({ helpWidth: 100 });
      text = '';
      command.outputHelp();
      return `### \`${name}\`\n\n\`\`\`text\n${text.trimEnd()}\n\`\`\`\n`;
    });
  return `${intro}\n${sections.join('\n')}`;
}
