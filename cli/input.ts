import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from './output';

/** JSON given on the command line: inline (`'{...}'`) or from a file (`@file.json`, relative to `cwd`). */
export function readJson(value: string, cwd: string, flag: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    const path = resolve(cwd, value.slice(1));
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(
        `${flag} ${value}: cannot read it (${error instanceof Error ? error.message : error})`,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} is not JSON: ${error instanceof Error ? error.message : error}`);
  }
}

const jsonObject = z.record(z.unknown());

/** {@link readJson}, which must be a JSON object. */
export function readJsonObject(value: string, cwd: string, flag: string): Record<string, unknown> {
  const parsed = readJson(value, cwd, flag);
  const object = jsonObject.safeParse(parsed);
  if (!object.success || Array.isArray(parsed)) throw new UsageError(`${flag} must be a JSON object.`);
  return object.data;
}
