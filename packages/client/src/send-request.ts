import { ApiError } from './api-error.js';
import type { Configuration } from './configuration.js';
import { parseErrorBody } from './models.js';
import { reasonPhrase } from './reason-phrases.js';
import type { HttpMethod } from './retry.js';

/** A 2xx response, body read as text. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** JSON.parse that yields undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Node's fetch says only "fetch failed"; what went wrong ("connect ECONNREFUSED 127.0.0.1:9") is deeper. */
export function innermostMessage(error: unknown): string {
  let message = '';
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    const inner = current instanceof AggregateError ? current.errors.find((e) => e instanceof Error) : undefined;
    message = (inner instanceof Error && inner.message) || current.message || message;
  }
  return message || String(error);
}

// Printable ASCII: what fetch sends as it is. Anything else would make Headers throw a TypeError
// that quotes the whole value, token included.
const HEADER_VALUE = /^[\x20-\x7e]+$/;

/**
 * One attempt: sends the headers every generated PacerPro client sends, bounds the whole exchange
 * (headers and body) by timeoutMs, and turns every failure into an ApiError. `authorize` adds the
 * configured token; logging in sends none (the Ruby client's session_post: no authorization).
 */
export async function sendRequest(
  config: Configuration,
  method: HttpMethod,
  path: string,
  body?: string,
  authorize = true,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<RawResponse> {
  const url = `${config.basePath}${path}`;
  const headers = new Headers({ 'Content-Type': 'application/json', Accept: 'application/json' });
  if (config.userAgent) headers.set('User-Agent', config.userAgent);
  for (const [name, value] of Object.entries({ ...config.headers, ...extraHeaders })) headers.set(name, value);
  const authorization = authorize ? await config.authorization() : undefined;
  if (authorization && !HEADER_VALUE.test(authorization)) {
    throw new ApiError({
      code: 0,
      message: `The token cannot be sent: it holds characters an HTTP header cannot carry (a JWT has only letters, digits, "-", "_" and "."). Check apiKey.`,
    });
  }
  if (authorization) headers.set('Authorization', authorization);

  const controller = new AbortController();
  // The reason becomes the fetch error, so `cause.name === 'TimeoutError'` tells a timeout from a network failure.
  const timer = setTimeout(
    () => controller.abort(new DOMException(`No response within ${config.timeoutMs} ms`, 'TimeoutError')),
    config.timeoutMs,
  );
  let response: Response;
  let text: string;
  try {
    response = await config.fetch(url, { method, headers, body, signal: controller.signal });
    text = await response.text();
  } catch (cause) {
    const message = controller.signal.aborted
      ? `Timed out after ${config.timeoutMs} ms waiting for ${method} ${url}`
      : `Cannot reach ${url}: ${innermostMessage(cause)}`;
    throw new ApiError({ code: 0, message, cause });
  } finally {
    clearTimeout(timer);
  }

  if (response.status < 200 || response.status > 299) {
    throw new ApiError({
      code: response.status,
      message: reasonPhrase(response.status, response.statusText),
      responseHeaders: response.headers,
      responseBody: text,
      body: parseErrorBody(parseJson(text)),
    });
  }
  return { status: response.status, headers: response.headers, text };
}
