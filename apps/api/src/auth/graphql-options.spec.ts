import { HeaderMap, type GraphQLRequestContextWillSendResponse, type GraphQLRequestListener } from '@apollo/server';
import { executionStatus } from './graphql-options.js';

type Body = { kind: 'single'; singleResult: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };

/** The status executionStatus leaves on an answer with this body, Apollo having set `status` from the errors. */
async function statusOf(body: Body, status?: number): Promise<number | undefined> {
  const listener = (await executionStatus.requestDidStart!({} as never)) as GraphQLRequestListener<never>;
  const response = { body, http: { status, headers: new HeaderMap() } };
  await listener.willSendResponse!({ response } as unknown as GraphQLRequestContextWillSendResponse<never>);
  return response.http.status;
}

const limited = { message: 'over', extensions: { code: 'RATE_LIMITED', retryAfter: 3 } };
const forbidden = { message: 'no', extensions: { code: 'FORBIDDEN' } };

describe('executionStatus: the HTTP status of an answer whose operation ran', () => {
  it('is 429 for a rate refusal that left nothing answered (a non-null root field nulls data)', async () => {
    expect(await statusOf({ kind: 'single', singleResult: { data: null, errors: [limited] } }, 429)).toBe(429);
    expect(await statusOf({ kind: 'single', singleResult: { data: { a: null, b: null }, errors: [limited, forbidden] } }, 429)).toBe(429);
  });

  it('is 200 when a root field answered beside the refusal: its answer must reach the client', async () => {
    expect(await statusOf({ kind: 'single', singleResult: { data: { a: { ok: true }, b: null }, errors: [limited] } }, 429)).toBe(200);
  });

  it('is 200 for every other execution error, whatever status the error asked for (Nest did the same)', async () => {
    expect(await statusOf({ kind: 'single', singleResult: { data: null, errors: [forbidden] } }, 400)).toBe(200);
    expect(await statusOf({ kind: 'single', singleResult: { data: { a: 1 } } })).toBe(200);
  });

  it("leaves an answer without data (refused before execution: 401, 400, the gate's 429) as it is", async () => {
    expect(await statusOf({ kind: 'single', singleResult: { errors: [limited] } }, 429)).toBe(429);
    expect(await statusOf({ kind: 'single', singleResult: { errors: [forbidden] } }, 401)).toBe(401);
  });
});
