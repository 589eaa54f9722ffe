// The client's ErrorCode union and ERROR_CODES list are kept by hand (the SDK does not depend on the
// server); these checks hold them to the server's ERRORS table, at compile time and at run time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERRORS, type ErrorCode as ServerErrorCode } from '../../server/src/errors.js';
import { ApiError, AuthenticationApi, ERROR_CODES, isApiError, isErrorCode, type ErrorCode } from '../src/index.js';
import { errorBody, sendJson, startStub, type StubServer } from './support/stub-server.js';

/** true when each type is assignable to the other: the same union of codes. */
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('error codes', () => {
  it('a code the server answers with but the client does not know, or the reverse, fails the typecheck', () => {
    const same: MutuallyAssignable<ErrorCode, ServerErrorCode> = true;
    // The check is not vacuous: one code more or one code less on the client does not compile.
    // @ts-expect-error a code the server does not have
    const extra: MutuallyAssignable<ErrorCode | 'made_up_code', ServerErrorCode> = true;
    // @ts-expect-error a code the server has and the client lacks
    const missing: MutuallyAssignable<Exclude<ErrorCode, 'token_expired'>, ServerErrorCode> = true;
    assert.deepEqual([same, extra, missing], [true, true, true]);
  });

  it("a code in the server's ERRORS but not in ERROR_CODES, or the reverse, fails the build", () => {
    assert.deepEqual([...ERROR_CODES].sort(), Object.keys(ERRORS).sort());
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length, 'no code listed twice');
  });

  it('isErrorCode knows exactly the listed codes', () => {
    for (const code of ERROR_CODES) assert.ok(isErrorCode(code), code);
    for (const other of ['made_up_code', 'INVALID_CREDENTIALS', '', 401, undefined, null, { code: 'token_expired' }]) {
      assert.equal(isErrorCode(other), false, String(other));
    }
  });
});

describe('isApiError and errorCode', () => {
  let stub: StubServer;
  let code: string;
  before(async () => {
    stub = await startStub((_request, response) => sendJson(response, 401, errorBody(401, 'refused', code)));
  });
  after(() => stub.close());

  const refusal = async (): Promise<unknown> =>
    new AuthenticationApi({ basePath: stub.basePath, apiKey: 'tok', retry: false }).sessionGet().catch((e: unknown) => e);

  it("a rejected call is an ApiError whose errorCode is the body's code, typed", async () => {
    code = 'token_revoked';
    const error = await refusal();
    assert.ok(isApiError(error));
    const typed: ErrorCode | undefined = error.errorCode;
    assert.equal(typed, 'token_revoked');
    assert.equal(error.body?.code, 'token_revoked');
  });

  it('a code this client does not know yet stays in the body, and errorCode is undefined rather than a wrong type', async () => {
    code = 'brand_new_code';
    const error = await refusal();
    assert.ok(isApiError(error));
    assert.equal(error.errorCode, undefined);
    assert.equal(error.body?.code, 'brand_new_code');
    assert.equal(new ApiError({ code: 0 }).errorCode, undefined, 'no answer, no code');
  });

  it('isApiError refuses other errors and look-alikes', () => {
    assert.ok(isApiError(new ApiError({ code: 503 })));
    for (const other of [new Error('Unauthorized'), { name: 'ApiError', code: 401, message: 'Unauthorized' }, 'ApiError', undefined]) {
      assert.equal(isApiError(other), false, String(other));
    }
  });
});
