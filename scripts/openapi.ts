import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiText } from '../functions/shared/openapi';

/**
 * docs/openapi.json, written from the contract's schemas (functions/shared/api-contract.ts):
 * `npm run openapi` rewrites it, and a test fails when the committed file differs.
 */
writeFileSync(join(__dirname, '..', 'docs', 'openapi.json'), openApiText());
