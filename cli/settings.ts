/**
 * The `herald` CLI's own settings: where Herald is and who is asking. One description, read by the
 * CLI (cli/context.ts), its `--help`, and docs/configuration.md (`npm run docs`). The defaults point
 * at local mode (`npm start`), so the CLI works against it with no flags.
 */
export interface CliSetting {
  /** The environment variable. */
  readonly env: string;
  /** The flag that overrides it for one command, when there is one. */
  readonly flag?: string;
  /** Used when the variable is unset; none when there is no sensible default. */
  readonly default?: string;
  /** One or two sentences for `--help` and docs/configuration.md. */
  readonly description: string;
}

export const cliSettings = {
  apiUrl: {
    env: 'HERALD_API_URL',
    flag: '--api-url',
    default: 'http://127.0.0.1:3000',
    description: "The API's root: local mode's, or a deployed stage URL (the stack's `ApiUrl` output).",
  },
  apiKey: {
    env: 'HERALD_API_KEY',
    flag: '--api-key',
    description:
      "The tenant's API key (`hrld_...`). When unset and the tenant is `demo`, the CLI reads the key local mode keeps in `.herald/demo-api-key`.",
  },
  tenant: {
    env: 'HERALD_TENANT',
    flag: '--tenant',
    default: 'demo',
    description: 'The tenant whose webhooks the commands manage, and the tenant of a published event.',
  },
  eventsUrl: {
    env: 'HERALD_EVENTS_URL',
    default: 'http://127.0.0.1:4010',
    description:
      "Where `herald publish` sends `PutEvents`: local mode's endpoint. Set it empty (or pass `--aws`) to publish to the deployed bus with your AWS credentials.",
  },
  dataDir: {
    env: 'HERALD_DATA_DIR',
    default: '.herald',
    description:
      "Where the CLI finds local mode's data (`npm start` keeps it in `.herald/` where it runs): the running local mode for `herald keys`, the demo key for the API commands.",
  },
} as const satisfies Record<string, CliSetting>;

export type CliSettingName = keyof typeof cliSettings;
