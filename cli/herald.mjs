#!/usr/bin/env node
// The `herald` bin: runs the TypeScript CLI through tsx. Only tsx's CommonJS hook is registered
// (the repository is CommonJS): its ESM hook would add about 100 ms to every start (cli/lazy.ts).
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('./main.ts');
