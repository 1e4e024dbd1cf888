import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { eventCatalog } from '../../functions/domain/event-catalog';
import { dataSchemaFor } from '../../functions/domain/event-schemas';
import { eventTypeResources } from '../../functions/shared/api-contract';
import { jsonSchemaOf } from '../../functions/shared/event-data-schema';

/**
 * The catalog's JSON Schema of each event type's `data`, made from the zod schema the router checks
 * it with: a JSON Schema validator and the router agree on the examples and on broken ones.
 */
const ajv = new Ajv2020({ strict: true, allErrors: true });

describe("the catalog's data schemas", () => {
  it.each(eventCatalog.map((t) => [t.name]))('accepts the example of %s, as the router does', (name) => {
    const resource = eventTypeResources().find((r) => r.id === name);
    const validate = ajv.compile(resource?.attributes.schema ?? {});
    expect(validate(resource?.attributes.example)).toBe(true);
    expect(dataSchemaFor(name)?.safeParse(resource?.attributes.example).success).toBe(true);
  });

  it.each(eventCatalog.map((t) => [t.name]))(
    'refuses what the router refuses: %s without each required field',
    (name) => {
      const schema = jsonSchemaOf(dataSchemaFor(name) ?? z.never());
      const validate = ajv.compile(schema);
      const example = eventCatalog.find((t) => t.name === name)?.example ?? {};
      const required = z.object({ required: z.array(z.string()) }).parse(schema).required;
      expect(required.length).toBeGreaterThan(0);
      for (const field of required) {
        const broken: Record<string, unknown> = { ...example };
        delete broken[field];
        expect({ field, json: validate(broken) }).toEqual({ field, json: false });
        expect({ field, zod: dataSchemaFor(name)?.safeParse(broken).success }).toEqual({ field, zod: false });
      }
    },
  );

  it('says where extra fields are allowed, and that a custom field value may be any JSON', () => {
    const custom = jsonSchemaOf(dataSchemaFor('use_case_custom_field_updated') ?? z.never());
    expect(custom).toMatchObject({
      additionalProperties: true,
      properties: { value: { description: 'Any JSON value.' } },
    });
  });

  it('fails loudly on a kind of schema it cannot describe', () => {
    expect(() => jsonSchemaOf(z.date())).toThrow('No JSON Schema for a ZodDate');
  });
});
