import 'reflect-metadata';
import { PointInTimeInput } from './dto/point-in-time.input.js';
import { createValidationPipe } from './validation.js';

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
});
