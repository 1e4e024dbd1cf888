import type { ZodTypeAny } from 'zod';

/**
 * The JSON Schema (2020-12) of an event type's `data`, from the zod schema the router checks it
 * with (functions/domain/event-schemas.ts): what the catalog shows a customer, so the two cannot
 * disagree. Those schemas are written with zod 3's API, which has no JSON Schema output of its
 * own; this walks the few kinds they use and fails on any other, so a new kind cannot slip out
 * undescribed.
 */
export type JsonSchema = { [key: string]: unknown };

interface Def {
  typeName: string;
  [key: string]: unknown;
}

function defOf(schema: ZodTypeAny): Def {
  return schema._def as Def;
}

export function jsonSchemaOf(schema: ZodTypeAny): JsonSchema {
  const def = defOf(schema);
  switch (def.typeName) {
    case 'ZodString': {
      const checks = (def.checks as Array<{ kind: string; value?: number }> | undefined) ?? [];
      const min = checks.find((c) => c.kind === 'min')?.value;
      return { type: 'string', ...(min !== undefined ? { minLength: min } : {}) };
    }
    case 'ZodNumber':
      return { type: 'number' };
    case 'ZodBoolean':
      return { type: 'boolean' };
    case 'ZodNull':
      return { type: 'null' };
    // The operational events' `trigger`.
    case 'ZodEnum':
      return { type: 'string', enum: [...(def.values as string[])] };
    case 'ZodNullable':
      return { anyOf: [jsonSchemaOf(def.innerType as ZodTypeAny), { type: 'null' }] };
    case 'ZodOptional':
      return jsonSchemaOf(def.innerType as ZodTypeAny);
    case 'ZodArray':
      return { type: 'array', items: jsonSchemaOf(def.type as ZodTypeAny) };
    case 'ZodRecord':
      return { type: 'object', additionalProperties: jsonSchemaOf(def.valueType as ZodTypeAny) };
    case 'ZodUnion':
      return { anyOf: (def.options as ZodTypeAny[]).map(jsonSchemaOf) };
    // The one recursive schema is a custom field's value, which may be every JSON value.
    case 'ZodLazy':
      return { description: 'Any JSON value.' };
    case 'ZodObject': {
      const shape = (def.shape as () => Record<string, ZodTypeAny>)();
      const required = Object.entries(shape)
        .filter(([, field]) => !field.isOptional())
        .map(([name]) => name);
      return {
        type: 'object',
        properties: Object.fromEntries(
          Object.entries(shape).map(([name, field]) => [name, jsonSchemaOf(field)]),
        ),
        ...(required.length > 0 ? { required } : {}),
        // `passthrough`: the platform may send more than the guide documents.
        additionalProperties: def.unknownKeys === 'passthrough',
      };
    }
    default:
      throw new Error(`No JSON Schema for a ${def.typeName}`);
  }
}
