import { bufferedOutput } from '../cli/output';
import { buildProgram } from '../cli/program';

/**
 * `npm run keys -- <create|list|revoke|provision> ...` is `herald keys ...` (cli/commands/keys.ts);
 * the package script runs the CLI. This module keeps `runKeys` for callers in code (the tests), and
 * the key operations stay importable from cli/tenant-keys.ts and cli/stack.ts.
 */
export { provisionUsageKey, type UsageKeyProvisioning } from '../cli/stack';

/**
 * Runs `herald keys <argv>` in this process, handing each piece of output to `out`; throws what
 * the command throws (a bad argument, a tenant with no such key) instead of printing it.
 */
export async function runKeys(argv: string[], out: (line: string) => void = console.log): Promise<void> {
  const program = buildProgram({ output: bufferedOutput(out), env: process.env, cwd: process.cwd() });
  await program.parseAsync(['keys', ...argv], { from: 'user' });
}
