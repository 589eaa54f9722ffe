import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiProblem } from '../errors.js';
import { findDuplicateKey } from './duplicate-keys.js';

const FORBIDDEN_KEY =
  'The request body contains a forbidden key (__proto__ or constructor.prototype). Send {"email": "...", "password": "..."}.';

/** Parses a JSON body; refuses prototype-pollution keys. Errors carry our codes, never the input. */
export function parseJsonBody(text: string): unknown {
  // The published clients send Content-Type: application/json with no body on GET and DELETE.
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const poisoned = /forbidden (prototype|constructor)/.test((error as Error).message);
    throw poisoned ? new ApiProblem('invalid_body', {}, FORBIDDEN_KEY) : new ApiProblem('malformed_json');
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    const shown = JSON.stringify(duplicate.length > 64 ? `${duplicate.slice(0, 64)}…` : duplicate);
    throw new ApiProblem('invalid_body', {}, `The request body has the key ${shown} more than once; send each key once.`);
  }
  return value;
}

/**
 * JSON is the only body the API takes (Fastify's text/plain parser goes too, so other types get
 * 415); the parser accepts an empty body and fails with our codes.
 */
export function registerJsonBody(app: FastifyInstance, bodyLimitBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
