import 'reflect-metadata';
import { PointInTimeInput } from './dto/point-in-time.input.js';
import { IsArray, IsBoolean, IsInt, IsOptional, IsString, MetadataStorage, Min, getMetadataStorage, validate } from 'class-validator';
import { ValidatedRowByRow, createValidationPipe, rememberRuleLookups, violationsOf } from './validation.js';

describe('the global validation pipe', () => {
  const pipe = createValidationPipe();
  const metadata = { type: 'query' as const, metatype: PointInTimeInput, data: 'at' };

  it('answers an absent optional input as absent, without validating a stand-in', async () => {
    await expect(pipe.transform(undefined, metadata)).resolves.toBeUndefined();
    await expect(pipe.transform(null, metadata)).resolves.toBeNull();
  });

  it('still validates a given input, naming the field', async () => {
    await expect(pipe.transform({ position: '12' }, metadata)).resolves.toBeInstanceOf(PointInTimeInput);
    await expect(pipe.transform({ position: 'twelve' }, metadata)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('position must be a global position') as unknown,
    });
  });

  it('names the field from the GraphQL argument it validates, and an HTTP parameter’s as it is', async () => {
    // Nest hands a resolver's @Args('at') to pipes as type 'body' (GqlParamtype.ARGS, 3, by RouteParamtypes' name).
    const argument = { type: 'body' as const, metatype: PointInTimeInput, data: 'at' };
    await expect(pipe.transform({ position: 'twelve' }, argument)).rejects.toMatchObject({ extra: { field: 'at.position' }, message: expect.stringMatching(/^at\.position must be/) as unknown });
    await expect(pipe.transform('twelve', argument)).rejects.toMatchObject({ extra: { field: 'at' } });
    await expect(pipe.transform({ position: 'twelve' }, metadata)).rejects.toMatchObject({ extra: { field: 'position' } });
  });
});

describe('violationsOf', () => {
  class Count {
    @IsInt()
    @Min(1)
    count!: number;

    @IsString()
    name!: string;
  }
  const of = async (value: object) => violationsOf(await validate(Object.assign(new Count(), value)));

  it('answers one violation per field: "is required" for an absent value, else the kind of value before its range', async () => {
    expect(await of({ name: 'a' })).toEqual([{ field: 'count', reason: 'is required' }]);
    expect(await of({ name: 'a', count: 'many' })).toEqual([{ field: 'count', reason: 'must be an integer number' }]);
    expect(await of({ name: 'a', count: 2.5 })).toEqual([{ field: 'count', reason: 'must be an integer number' }]);
    expect(await of({ name: 'a', count: 0 })).toEqual([{ field: 'count', reason: 'must not be less than 1' }]);
    expect(await of({ count: null, name: 7 })).toEqual([
      { field: 'count', reason: 'is required' },
      { field: 'name', reason: 'must be a string' },
    ]);
  });
});

describe('the global validation pipe on an input validated row by row', () => {
  let pipe = createValidationPipe();
  beforeEach(() => {
    pipe = createValidationPipe();
  });
  @ValidatedRowByRow()
  class Rows {
    @IsArray()
    rows!: unknown[];

    @IsOptional()
    @IsBoolean()
    dryRun?: boolean;
  }
  class SameRules {
    @IsArray()
    rows!: unknown[];

    @IsOptional()
    @IsBoolean()
    dryRun?: boolean;
  }
  const meta = (metatype: new () => object) => ({ type: 'body' as const, metatype, data: 'input' });

  it('validates its own fields and hands the rows over as they came, not copied', async () => {
    // First in a fresh pipe: nothing of Nest's own transform has run before it.
    const rows = [{ a: { b: 1 } }, { c: [1, 2] }];
    const entity = (await pipe.transform({ rows, dryRun: true }, meta(Rows))) as Rows;
    expect(entity).toBeInstanceOf(Rows);
    expect(entity.rows).toBe(rows);
    expect(entity).toEqual(Object.assign(new Rows(), { rows, dryRun: true }));
  });

  it('refuses as the pipe refuses any input: the same error for the same rules broken', async () => {
    for (const bad of [{ rows: 'not a list' }, { rows: [], dryRun: 'yes' }, { dryRun: false }]) {
      const ours = await pipe.transform(bad, meta(Rows)).then(() => undefined, (e: unknown) => e);
      const theirs = await pipe.transform(bad, meta(SameRules)).then(() => undefined, (e: unknown) => e);
      expect(ours).toBeDefined();
      expect(ours).toEqual(theirs);
      expect((ours as Error).message).toBe((theirs as Error).message);
    }
  });
});

describe('remembered rule lookups (class-validator)', () => {
  class Base {
    @IsString()
    name!: string;
  }
  class Child extends Base {
    @IsInt()
    @Min(1)
    count!: number;
  }
  // class-validator's own lookup, called on the storage (the patch shadows it on the instance).
  const original = (storage: MetadataStorage, ...args: Parameters<MetadataStorage['getTargetValidationMetadatas']>) =>
    MetadataStorage.prototype.getTargetValidationMetadatas.apply(storage, args);

  beforeAll(() => rememberRuleLookups());

  it('answers what class-validator itself finds, inherited rules included, and the same array again', () => {
    const storage = getMetadataStorage();
    const remembered = storage.getTargetValidationMetadatas(Child, '', false, false);
    expect(remembered).toEqual(original(storage, Child, '', false, false));
    expect(remembered.map((m) => m.propertyName).sort()).toEqual(['count', 'count', 'name']);
    expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(remembered);
    // Other options are another answer.
    expect(storage.getTargetValidationMetadatas(Child, '', false, false, ['other'])).not.toBe(remembered);
  });

  it('still refuses what the rules refuse, field by field', async () => {
    expect(await validate(Object.assign(new Child(), { name: 'a', count: 2 }))).toEqual([]);
    const errors = await validate(Object.assign(new Child(), { name: 3, count: 0 }));
    expect(errors.map((e) => e.property).sort()).toEqual(['count', 'name']);
  });

  it('forgets its answers when a rule is registered later', async () => {
    class Late {
      @IsString()
      a!: string;
    }
    expect(await validate(Object.assign(new Late(), { a: 'x', b: 'not a number' }))).toEqual([]);
    IsInt()(Late.prototype, 'b');
    const errors = await validate(Object.assign(new Late(), { a: 'x', b: 'not a number' }));
    expect(errors.map((e) => e.property)).toEqual(['b']);
  });
});
