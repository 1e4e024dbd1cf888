import { processOutput } from './output';
import { runCli } from './program';

/**
 * The `herald` process (cli/herald.mjs loads this): runs the command line and sets the exit code.
 * The code is set, not forced with `process.exit`, so that output piped to another process is
 * written out in full first.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), { output: processOutput(), env: process.env, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
);
