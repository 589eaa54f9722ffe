import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { OpenAPIV3_1 } from 'openapi-types';
import { readFileSync } from 'node:fs';
import { ERRORS, errorBody, type ErrorCode } from '../errors.js';
import { ACCEPTED_REQUEST_ID } from './request-id.js';
import { EmptySchema, ErrorSchema, HealthSchema, ReadinessSchema, SessionSchema, UserSchema } from './schemas.js';

// The OpenAPI 3.1 description of the API. @fastify/swagger walks the routes as they are registered
// and asks transformRoute() for each one: the response schema a route serializes with is the one
// the document shows (by its $id, as a component built from the same object in schemas.ts), and the
// rest — the request body, every error status, examples — is written here, once, beside it.
// The login body is documented but never validated by Ajv: a missing field must answer 401, not
// 400 (docs/contract.md), so readCredentials() checks it by hand.

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type JsonSchema = Record<string, unknown>;

/** The wire models, as components named by their $id. */
const MODELS = [UserSchema, SessionSchema, EmptySchema, ErrorSchema, HealthSchema, ReadinessSchema] as const;

const ref = (schema: { $id: string }) => ({ $ref: `#/components/schemas/${schema.$id}` });

function withoutId({ $id: _id, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

const EXAMPLE_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJqdGkiOiI3ZjFkOGI0Mi0xYzJlLTRhNWItOWQzZi0wZTZhN2I4YzlkMTAiLCJzdWIiOjEsInNjcCI6InVzZXIiLCJleHAiOjE3OTU4NDIwMDB9.q3QmN0Kq2m7w7s3O8r0Zb2GZQpZ0r1l1b9cWmPZ0s2Y';
const EXAMPLE_SESSION = { jwtToken: EXAMPLE_TOKEN, expiresAt: '2026-11-28T07:00:00.000Z' };

/** Components: the wire models with examples, and the Bearer scheme. */
const COMPONENTS = {
  schemas: {
    ...Object.fromEntries(MODELS.map((model) => [model.$id, withoutId(model)])),
    User: { ...withoutId(UserSchema), examples: [{ email: 'alice@example.com', password: 'correct horse battery staple' }] },
    Session: { ...withoutId(SessionSchema), examples: [EXAMPLE_SESSION] },
    // The document lists every code, so generated clients can switch on them; the wire schema stays
    // an open string (a newer server may add codes an older client must still read).
    Error: {
      ...withoutId({
        ...ErrorSchema,
        properties: { ...ErrorSchema.properties, code: { ...ErrorSchema.properties.code, enum: Object.keys(ERRORS) } },
      }),
      examples: [errorBody('invalid_credentials')],
    },
  },
  securitySchemes: {
    Bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'The jwtToken from POST /v1/session, sent as "Authorization: Bearer <jwtToken>". The bare token, ' +
        '"Authorization: <jwtToken>", is accepted too (the published PacerPro clients send it when their ' +
        'api_key_prefix is cleared); the scheme name is case-insensitive.',
    },
  },
};

const header = (description: string, schema: JsonSchema = { type: 'string' }) => ({ description, ...schema });

const REQUEST_ID_HEADER = header('The request id: the X-Request-Id sent with the request when it was valid, otherwise a generated UUID.');
const RETRY_AFTER_HEADER = header('Seconds to wait before retrying.', { type: 'integer' });

/** One error status: PacerPro's Error body, with an example for each code that answers it. */
function errorResponse(description: string, codes: readonly ErrorCode[], headers: Record<string, JsonSchema> = {}) {
  const examples = Object.fromEntries(codes.map((code) => [code, { value: errorBody(code) }]));
  return {
    description,
    headers: { 'X-Request-Id': REQUEST_ID_HEADER, ...headers },
    content: { 'application/json': { schema: ref(ErrorSchema), examples } },
  };
}

const TOKEN_REFUSED = [
  'missing_token',
  'invalid_token',
  'token_expired',
  'token_revoked',
  'session_too_old',
] as const satisfies readonly ErrorCode[];
const WWW_AUTHENTICATE = { 'WWW-Authenticate': header('Always Bearer realm="pacerpro".') };

/** The failures every operation can meet, whatever it does. */
const COMMON_ERRORS = {
  400: errorResponse('Bad Request: a body was sent that is not JSON, or not a JSON object.', ['malformed_json', 'invalid_body']),
  413: errorResponse('Payload Too Large: the body is over the configured limit (PACERPRO_BODY_LIMIT).', ['body_too_large']),
  415: errorResponse('Unsupported Media Type: a body was sent with another Content-Type than application/json.', [
    'unsupported_media_type',
  ]),
  503: errorResponse('Service Unavailable: the database does not answer; retry after Retry-After seconds.', ['service_unavailable'], {
    'Retry-After': RETRY_AFTER_HEADER,
  }),
};

const DEVICE_CREDENTIAL =
  'The device credential of a known client (SECURITY.md, "Login throttling, by lane"): opaque, 43 characters of base64url. ' +
  "Failed logins from strangers never throttle a client that sends its account's credential.";

const SESSION_HEADERS = {
  'X-Request-Id': REQUEST_ID_HEADER,
  Authorization: header('The same token as jwtToken, as "Bearer <jwtToken>" (devise-jwt dispatches it there).'),
  'Cache-Control': header('Always no-store: a token never sits in a cache.'),
};

interface OperationDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly body?: JsonSchema;
  /** Request headers besides X-Request-Id. */
  readonly requestHeaders?: Record<string, JsonSchema>;
  readonly secured: boolean;
  /** The success answer; its schema comes from the route itself. */
  readonly success: { readonly description: string; readonly headers: Record<string, JsonSchema>; readonly example: unknown };
  readonly errors: Record<number, unknown>;
  readonly tag: string;
}

/** What the routes cannot say about themselves, by "METHOD url". Routes not listed stay out of the document. */
const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'POST /v1/session': {
    operationId: 'sessionPost',
    summary: 'Initial authentication.',
    description:
      'Logs in with e-mail and password and answers a Session. The Devise form {"user": {"email": …, "password": …}} ' +
      'is accepted too. A wrong e-mail or password, a missing field, {} or a locked account all answer the same 401.',
    body: {
      description: 'A User. A missing field is a failed login (401), not a bad request.',
      content: { 'application/json': { schema: ref(UserSchema) } },
    },
    secured: false,
    tag: 'Authentication',
    requestHeaders: {
      'PacerPro-Device': {
        type: 'string',
        description: `Optional: the credential an earlier login of this account answered with. ${DEVICE_CREDENTIAL} Anything else is ignored.`,
      },
    },
    success: {
      description: 'OK: a new Session.',
      headers: {
        ...SESSION_HEADERS,
        'PacerPro-Device': header(`The credential to keep and send on later logins of this account. ${DEVICE_CREDENTIAL}`),
      },
      example: EXAMPLE_SESSION,
    },
    errors: {
      ...COMMON_ERRORS,
      400: errorResponse('Bad Request: the body is not a JSON object, or email/password are not strings or too long.', [
        'malformed_json',
        'invalid_body',
        'invalid_field',
        'email_too_long',
        'password_too_long',
      ]),
      401: errorResponse(
        'Unauthorized: wrong e-mail or password, a missing field, or a locked account.',
        ['invalid_credentials'],
        WWW_AUTHENTICATE,
      ),
      429: errorResponse(
        'Too Many Requests: this client or this account is throttled; retry after Retry-After seconds.',
        ['rate_limited', 'login_throttled'],
        {
          'Retry-After': RETRY_AFTER_HEADER,
        },
      ),
    },
  },
  'GET /v1/session': {
    operationId: 'sessionGet',
    summary: 'Refresh authentication token',
    description: 'Answers a new Session for the same user and the same jti, with a later expiresAt.',
    secured: true,
    tag: 'Authentication',
    success: { description: 'OK: a new Session with a later expiresAt.', headers: SESSION_HEADERS, example: EXAMPLE_SESSION },
    errors: {
      ...COMMON_ERRORS,
      401: errorResponse(
        'Unauthorized: the token is missing, malformed, badly signed, expired or revoked, or its user is locked or gone.',
        TOKEN_REFUSED,
        WWW_AUTHENTICATE,
      ),
    },
  },
  'DELETE /v1/session': {
    operationId: 'sessionDelete',
    summary: 'Revoke all JWT tokens (logout).',
    description: 'Revokes every token of the user, on every node, by spinning a new JTI. Answers {}.',
    secured: true,
    tag: 'Authentication',
    success: {
      description: 'OK: every token of the user is refused from now on.',
      headers: { 'X-Request-Id': REQUEST_ID_HEADER },
      example: {},
    },
    errors: {
      ...COMMON_ERRORS,
      401: errorResponse(
        'Unauthorized: the token is missing, malformed, badly signed, expired or revoked, or its user is locked or gone.',
        TOKEN_REFUSED,
        WWW_AUTHENTICATE,
      ),
    },
  },
  'GET /healthz': {
    operationId: 'healthz',
    summary: 'Liveness: the process answers.',
    description: 'Cheap enough to poll every second; touches no database.',
    secured: false,
    tag: 'Operations',
    success: { description: 'OK', headers: { 'X-Request-Id': REQUEST_ID_HEADER }, example: { status: 'ok' } },
    errors: {},
  },
  'GET /readyz': {
    operationId: 'readyz',
    summary: 'Readiness: the database answers and its migrations are applied.',
    description: 'Cheap enough to poll every second: one trivial query.',
    secured: false,
    tag: 'Operations',
    success: { description: 'OK', headers: { 'X-Request-Id': REQUEST_ID_HEADER }, example: { status: 'ready', database: 'sqlite' } },
    errors: { 503: COMMON_ERRORS[503] },
  },
};

/** The success schema of a route: a reference when it is one of the wire models, the schema itself otherwise. */
function successSchema(routeSchema: JsonSchema | undefined): JsonSchema {
  const serialized = (routeSchema?.response as Record<string, JsonSchema> | undefined)?.[200];
  const model = MODELS.find((m) => m === serialized);
  if (model) return ref(model);
  return serialized ?? {};
}

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

export const transformRoute: Transform = ({ schema, url, route }) => {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const key = `${methods[0]} ${url}`;
  const doc = methods.length === 1 ? OPERATIONS[key] : undefined;
  if (!doc) return { schema: { ...schema, hide: true }, url };
  const documented: JsonSchema = {
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    tags: [doc.tag],
    ...(doc.secured ? { security: [{ Bearer: [] }] } : {}),
    headers: {
      type: 'object',
      properties: {
        'X-Request-Id': {
          type: 'string',
          pattern: ACCEPTED_REQUEST_ID.source,
          description:
            'Optional: an id to find this request in the logs and audit trail; echoed back. Another value is replaced by a generated UUID.',
        },
        ...doc.requestHeaders,
      },
    },
    response: {
      200: {
        description: doc.success.description,
        headers: doc.success.headers,
        content: { 'application/json': { schema: successSchema(schema as JsonSchema), example: doc.success.example } },
      },
      ...doc.errors,
    },
  };
  if (doc.body) documented.body = doc.body;
  return { schema: documented as typeof schema, url };
};

export const SWAGGER_OPTIONS: FastifyDynamicSwaggerOptions = {
  mode: 'dynamic',
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'PacerPro authentication API',
      version: VERSION,
      description:
        'Session authentication wire-compatible with the PacerPro API: log in, refresh and log out everywhere. ' +
        "Every error answers PacerPro's Error body plus a stable `code`, with the standard reason phrase.",
    },
    tags: [
      { name: 'Authentication', description: 'The PacerPro session API (the wire contract: docs/contract.md in the source repository).' },
      { name: 'Operations', description: 'Health checks for load balancers and orchestrators.' },
    ],
    components: COMPONENTS as OpenAPIV3_1.ComponentsObject,
  },
  transform: transformRoute,
};
