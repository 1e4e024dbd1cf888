import { z } from 'zod/v4/mini';

// zod compiles object parsers with `new Function` when it may; under the pages' CSP (no
// 'unsafe-eval') even its probe for that is a reported violation. Parse without it. Imported
// first by each page's entry.
z.config({ jitless: true });
