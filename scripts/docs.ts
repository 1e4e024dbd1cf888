import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiDoc } from './api-doc';
import { cliDoc } from './cli-doc';
import { configurationDoc } from './configuration-doc';

/** `npm run docs`: rewrites the reference generated from code; tests fail when a committed one differs. */
const docs: Record<string, () => string> = {
  'configuration.md': configurationDoc,
  'api.md': apiDoc,
  'cli.md': cliDoc,
};
for (const [name, write] of Object.entries(docs)) {
  const path = join(__dirname, '..', 'docs', name);
  writeFileSync(path, write());
  console.log(`wrote ${path}`);
}
