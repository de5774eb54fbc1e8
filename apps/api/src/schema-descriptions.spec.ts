import { readFileSync } from 'node:fs';
import { buildSchema, isObjectType } from 'graphql';

// schema.gql is regenerated from the code and checked current by test/e2e/schema.e2e-spec.ts.
const schema = buildSchema(readFileSync('schema.gql', 'utf8'));

/** Every description in the schema: of types, fields, arguments and enum values. */
function descriptions(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (type.description) out.push({ where: type.name, text: type.description });
    if ('getFields' in type) {
      for (const field of Object.values(type.getFields())) {
        if (field.description) out.push({ where: `${type.name}.${field.name}`, text: field.description });
        for (const arg of 'args' in field ? field.args : []) if (arg.description) out.push({ where: `${type.name}.${field.name}(${arg.name})`, text: arg.description });
      }
    }
  }
  return out;
}

describe('schema descriptions', () => {
  it('speak in plain words, not in the column letters of the decree (A responsible … F funding)', () => {
    const lettered = descriptions().filter(({ text }) => /^[A-F](:| verbatim\b| as an?\b)|\b[A-F] verbatim\b|\(column [A-F]\)/.test(text));
    expect(lettered).toEqual([]);
  });

  it('say what a budget point id such as "3a" is wherever one appears', () => {
    const mentions = descriptions().filter(({ text }) => /"\d+[a-z]"/.test(text));
    expect(mentions.length).toBeGreaterThan(0);
    expect(mentions.filter(({ text }) => !/point \d+, item [a-z]/.test(text))).toEqual([]);
  });

  it('describe every field of the plan model a coordinator reads (Measure, BudgetPoint)', () => {
    for (const name of ['Measure', 'BudgetPoint']) {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
      const bare = Object.values(type.getFields()).filter((f) => !f.description && !['code', 'funding', 'indicators', 'year'].includes(f.name)).map((f) => f.name);
      expect({ name, bare }).toEqual({ name, bare: [] });
    }
  });
});
