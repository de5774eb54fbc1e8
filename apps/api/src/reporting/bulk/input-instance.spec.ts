import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
// @ts-expect-error -- class-transformer declares its storage module under types/, not beside cjs/storage.js.
import { defaultMetadataStorage as storage } from 'class-transformer/cjs/storage.js';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import type { FieldSpec } from '@app/domain';
import { BULK_MEMBERS } from './bulk-inputs.js';
import { toInputInstance } from './input-instance.js';

/** class-transformer's own registry of decorators (what plainToInstance consults). */
const defaultMetadataStorage = storage as MetadataStorage;

const sample = (field: FieldSpec, i: number): unknown => {
  switch (field.kind) {
    case 'count':
      return 3 + i;
    case 'money':
      return String(1000 + i);
    case 'date':
      return '2023-05-02';
    case 'boolean':
      return i % 2 === 0;
    case 'enum':
      return field.values?.[0];
    default:
      return `text ${i}`;
  }
};

/** Inputs of every shape a transport hands over: full, partial, wrong kinds, nulls, odd keys. */
function inputsFor(fields: readonly FieldSpec[], kind: 'record' | 'correct'): Record<string, unknown>[] {
  const own = Object.fromEntries(fields.map((f, i) => [f.name, sample(f, i)]));
  const common = kind === 'record' ? { measureCode: 'II.1.3', reportId: 'r-1', occurredOn: '2023-05-02' } : { reportId: 'r-1', requestId: 'q-1', reason: 'typo' };
  return [
    { ...common, ...own },
    { ...common },
    { ...common, ...own, planId: null, [fields[0]?.name ?? 'x']: 'not what the field takes', unknownColumn: 7 },
    { ...common, toString: 'shadowing a method', constructor: 'c', hasOwnProperty: 1 },
    { ...JSON.parse('{"__proto__": {"polluted": true}, "reportId": "p-1"}'), ...common },
    { ...common, ...own, nested: { title: 'an object' }, list: [1, 2], when: new Date(Date.UTC(2023, 4, 2)) },
    {},
  ];
}

describe('toInputInstance', () => {
  it.each(BULK_MEMBERS.map((m) => [m.name, m] as const))('%s: the input class carries no class-transformer metadata', (_name, member) => {
    const target = member.InputClass;
    expect(defaultMetadataStorage.getExposedMetadatas(target)).toEqual([]);
    expect(defaultMetadataStorage.getExcludedMetadatas(target)).toEqual([]);
    expect(defaultMetadataStorage.getStrategy(target)).toBe('none');
    for (const field of [...member.spec.fields.map((f) => f.name), 'measureCode', 'reportId', 'occurredOn', 'planId', 'requestId', 'reason', 'expectedRevision']) {
      expect(defaultMetadataStorage.findTypeMetadata(target, field)).toBeUndefined();
      expect(defaultMetadataStorage.findTransformMetadatas(target, field, 1 /* PLAIN_TO_CLASS */)).toEqual([]);
    }
  });

  it.each(BULK_MEMBERS.map((m) => [m.name, m] as const))('%s: gives what plainToInstance gives, for every shape of input', (_name, member) => {
    const InputClass = member.InputClass as new () => object;
    for (const input of inputsFor(member.spec.fields, member.kind)) {
      const fast = toInputInstance(InputClass, input);
      const reference = plainToInstance(InputClass, input);
      expect(Object.getPrototypeOf(fast)).toBe(InputClass.prototype);
      expect(Object.keys(fast)).toEqual(Object.keys(reference));
      expect(fast).toStrictEqual(reference);
    }
  });

  it('copies nothing of the input object itself: a later change to the row does not reach the instance', () => {
    const member = BULK_MEMBERS[0];
    const input: Record<string, unknown> = { measureCode: 'II.1.3', reportId: 'r-1', occurredOn: '2023-05-02' };
    const instance = toInputInstance(member.InputClass as new () => object, input) as Record<string, unknown>;
    input.reportId = 'changed';
    expect(instance.reportId).toBe('r-1');
    expect(instance).toBeInstanceOf(member.InputClass);
  });
});
