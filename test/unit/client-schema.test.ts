import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/**
 * The client's types are generated from docs/openapi.json (`npm run client:generate`): this
 * generates them again, as the CLI does, and fails when the committed file differs, so the client
 * cannot lag behind the contract.
 */
const root = join(__dirname, '..', '..');

describe('the TypeScript client’s generated schema', () => {
  it('is what openapi-typescript makes of docs/openapi.json now', async () => {
    const ast = await openapiTS(pathToFileURL(join(root, 'docs', 'openapi.json')), { silent: true });
    const committed = readFileSync(join(root, 'clients', 'typescript', 'src', 'schema.ts'), 'utf8');
    expect(committed).toBe(`${COMMENT_HEADER}${astToString(ast)}`);
  });
});
