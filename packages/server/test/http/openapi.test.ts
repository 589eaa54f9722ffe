import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ERRORS, type ErrorCode } from '../../src/errors.js';
import { formatOpenApiDocument } from '../../src/openapi-document.js';
import { call, login, startTestServer, type TestServer } from '../support/harness.js';

// The OpenAPI document: valid OpenAPI 3.1 for a maintained validator, equal to the committed
// openapi.json, complete (every operation, every status, every error code), and true: the real
// answers of a running server match the schemas it documents, and so do its examples.

const COMMITTED = new URL('../../../../openapi.json', import.meta.url);

interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: unknown; example?: unknown; examples?: Record<string, { value: unknown }> }> }
  >;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, Record<string, string>> };
}

describe('OpenAPI document', () => {
  let server: TestServer;
  let doc: Document;
  const schemaId = (name: string) => `#/components/schemas/${name}`;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);

  before(async () => {
    server = await startTestServer();
    await server.addUser('alice@example.com');
    const res = await fetch(`${server.url}/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await res.json()) as Document;
    // Component schemas are addressed by their JSON pointer inside the document.
    ajv.addSchema({ $id: 'openapi.json', components: doc.components }, 'openapi.json');
  });
  after(() => server.close());

  const operation = (method: string, path: string) => doc.paths[path]?.[method] as Operation;
  /** Validates a value against a schema of the document (a $ref into its components, or inline). */
  function check(schema: unknown, value: unknown, what: string) {
    const ref = (schema as { $ref?: string }).$ref;
    const validate = ref ? ajv.getSchema(`openapi.json${ref}`) : ajv.compile(schema as object);
    assert.ok(validate, `no schema for ${what}`);
    assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
  }

  test('is valid OpenAPI 3.1 for @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    assert.deepEqual(result, { valid: true });
    assert.equal(validator.version, '3.1');
  });

  test('equals the committed openapi.json (after a change: npm run openapi)', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    assert.equal(committed, formatOpenApiDocument(doc), 'openapi.json is out of date: run `npm run openapi` and commit it');
  });

  test('describes the three session operations with every status they answer, errors as Error', () => {
    const expected: Array<[string, string, string, string[]]> = [
      ['post', 'sessionPost', 'Session', ['200', '400', '401', '413', '415', '429', '503']],
      ['get', 'sessionGet', 'Session', ['200', '400', '401', '413', '415', '503']],
      ['delete', 'sessionDelete', 'Empty', ['200', '400', '401', '413', '415', '503']],
    ];
    for (const [method, operationId, model, statuses] of expected) {
      const op = operation(method, '/v1/session');
      assert.equal(op.operationId, operationId);
      assert.deepEqual(Object.keys(op.responses).sort(), statuses);
      assert.deepEqual(op.responses['200']!.content!['application/json']!.schema, { $ref: schemaId(model) });
      for (const status of statuses.filter((s) => s !== '200')) {
        assert.deepEqual(
          op.responses[status]!.content!['application/json']!.schema,
          { $ref: schemaId('Error') },
          `${operationId} ${status}`,
        );
      }
    }
    assert.deepEqual(operation('post', '/v1/session').requestBody!.content['application/json']!.schema, { $ref: schemaId('User') });
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/healthz', '/readyz', '/v1/session']);
  });

  test('GET and DELETE need the Bearer scheme, which says the bare token works too; POST needs none', () => {
    assert.equal(operation('post', '/v1/session').security, undefined);
    assert.deepEqual(operation('get', '/v1/session').security, [{ Bearer: [] }]);
    assert.deepEqual(operation('delete', '/v1/session').security, [{ Bearer: [] }]);
    const bearer = doc.components.securitySchemes.Bearer!;
    assert.equal(bearer.type, 'http');
    assert.equal(bearer.scheme, 'bearer');
    assert.match(bearer.description ?? '', /bare token/);
  });

  test('every error code an operation can answer has an example under its status', () => {
    const documented = new Set<string>();
    for (const op of Object.values(doc.paths).flatMap((item) => Object.values(item))) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [code, example] of Object.entries(response.content?.['application/json']?.examples ?? {})) {
          assert.equal(String((example.value as { status: number }).status), status, code);
          documented.add(code);
        }
      }
    }
    // Answers of no operation: an unknown path, another method, a bug, what the HTTP parser refuses.
    const undocumented: ErrorCode[] = [
      'not_found',
      'method_not_allowed',
      'internal_error',
      'bad_request',
      'request_timeout',
      'headers_too_large',
    ];
    const missing = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => !documented.has(code) && !undocumented.includes(code));
    assert.deepEqual(missing, [], 'error codes without an example in openapi.ts');
  });

  test('the Error model lists every error code, so a generated client can switch on them', () => {
    const code = (doc.components.schemas.Error!.properties as Record<string, { enum?: string[] }>).code!;
    assert.deepEqual(code.enum, Object.keys(ERRORS));
  });

  test('every example matches its schema', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const example of (schema.examples as unknown[] | undefined) ?? [])
        check({ $ref: schemaId(name) }, example, `example of ${name}`);
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const media = response.content?.['application/json'];
          if (!media) continue;
          const examples = [media.example, ...Object.values(media.examples ?? {}).map((e) => e.value)].filter((e) => e !== undefined);
          assert.ok(examples.length > 0, `${method} ${path} ${status} has an example`);
          for (const example of examples) check(media.schema, example, `${method} ${path} ${status} example`);
        }
      }
    }
  });

  test('the live docs page and its assets are served by the server itself, no CDN', async () => {
    const page = await fetch(`${server.url}/v1/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /https?:/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.some((a) => a.endsWith('/swagger-ui-bundle.js')));
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is on another host`);
      const res = await fetch(new URL(asset, `${server.url}/v1/docs`));
      assert.equal(res.status, 200, asset);
      await res.arrayBuffer();
    }
  });

  test('the docs page loads and shows /v1/openapi.json, the address the README names, not /v1/docs/json', async () => {
    const res = await fetch(`${server.url}/v1/docs/static/swagger-initializer.js`);
    assert.equal(res.status, 200);
    const script = await res.text();
    // Swagger UI takes `urls` over `url`: the first entry is what the top bar shows and loads.
    assert.match(script, /"urls":\[\{"url":"\/v1\/openapi\.json","name":"\/v1\/openapi\.json"\}\]/);
  });

  test('the real answers of the server match the documented schemas', async () => {
    const answers: Array<[string, string, { res: Response; json: unknown }]> = [];
    const post = async (contentType: string, body: string) => {
      const res = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { res, json: await res.json() };
    };
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      return { res, json: await res.json() };
    };
    const loggedIn = await login(server.url);
    const token = loggedIn.json.jwtToken as string;
    answers.push(['post', '/v1/session', loggedIn]);
    answers.push(['post', '/v1/session', await login(server.url, {})]);
    answers.push(['post', '/v1/session', await post('application/json', '{')]);
    answers.push(['post', '/v1/session', await post('application/json', JSON.stringify({ email: 'a'.repeat(20_000) }))]);
    answers.push(['post', '/v1/session', await post('text/plain', 'hello')]);
    answers.push(['get', '/v1/session', await call(server.url, 'GET', `Bearer ${token}`)]);
    answers.push(['get', '/v1/session', await call(server.url, 'GET')]);
    answers.push(['get', '/healthz', await get('/healthz')]);
    answers.push(['get', '/readyz', await get('/readyz')]);
    answers.push(['delete', '/v1/session', await call(server.url, 'DELETE', token)]);
    answers.push(['delete', '/v1/session', await call(server.url, 'DELETE', token)]);

    const seen: string[] = [];
    for (const [method, path, { res, json }] of answers) {
      const response = operation(method, path).responses[String(res.status)];
      assert.ok(response, `${method} ${path} answered ${res.status}, which is not documented`);
      check(response.content!['application/json']!.schema, json, `${method} ${path} ${res.status}`);
      seen.push(`${method} ${path} ${res.status}`);
    }
    assert.deepEqual(seen, [
      'post /v1/session 200',
      'post /v1/session 401',
      'post /v1/session 400',
      'post /v1/session 413',
      'post /v1/session 415',
      'get /v1/session 200',
      'get /v1/session 401',
      'get /healthz 200',
      'get /readyz 200',
      'delete /v1/session 200',
      'delete /v1/session 401',
    ]);
  });
});

test('every document the API description cites exists in the repository', () => {
  const doc = readFileSync(COMMITTED, 'utf8');
  const cited = [...doc.matchAll(/\b(docs\/[\w-]+\.md)\b/g)].map((m) => m[1]!);
  assert.ok(cited.includes('docs/contract.md'));
  for (const path of cited) assert.ok(existsSync(new URL(`../../../../${path}`, import.meta.url)), path);
  assert.doesNotMatch(doc, /CONTRACT\.md/);
});
