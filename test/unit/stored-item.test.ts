import { z } from 'zod';
import { MalformedItem, matching, parseItem } from '../../functions/adapters/aws/stored-item';

interface Thing {
  name: string;
  size: number | null;
}

describe('matching', () => {
  it('returns the schema when its output is exactly the domain type', () => {
    const schema = z.object({ name: z.string(), size: z.number().nullable() });
    expect(matching<Thing>()(schema)).toBe(schema);
  });

  it('does not compile for a schema that differs from the domain type in either direction', () => {
    // tsc (npm run typecheck) fails if any of these compiles; at run time they only return the schema.
    // @ts-expect-error a field of another type
    matching<Thing>()(z.object({ name: z.string(), size: z.string().nullable() }));
    // @ts-expect-error a field the domain type has is missing
    matching<Thing>()(z.object({ name: z.string() }));
    // @ts-expect-error the schema allows undefined where the domain type does not
    matching<Thing>()(z.object({ name: z.string(), size: z.number().nullish() }));
    // @ts-expect-error a field the domain type does not have
    matching<Thing>()(z.object({ name: z.string(), size: z.number().nullable(), extra: z.boolean() }));
  });
});

describe('parseItem', () => {
  const schema = z.object({ name: z.string(), kind: z.enum(['a', 'b']) });

  it('returns what the schema gives', () => {
    expect(parseItem(schema, { pk: 'P', sk: 'S', name: 'n', kind: 'a', other: 1 }, 'thing')).toEqual({
      name: 'n',
      kind: 'a',
    });
  });

  it('throws a MalformedItem naming the kind, the key and each field, without the values found', () => {
    const run = () => parseItem(schema, { pk: 'P', sk: 'S', name: 7, kind: 'sekrit' }, 'thing');
    expect(run).toThrow(MalformedItem);
    expect(run).toThrow(
      'Malformed thing item (pk=P sk=S): name: Expected string, received number; kind: expected one of "a", "b"',
    );
    expect(run).not.toThrow(/sekrit|7/);
  });

  it('names the item by the key given', () => {
    expect(() => parseItem(schema, {}, 'thing', 'pk=X… sk=Y')).toThrow(
      /^Malformed thing item \(pk=X… sk=Y\)/,
    );
  });
});
