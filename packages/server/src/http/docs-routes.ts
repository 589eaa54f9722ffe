import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SWAGGER_OPTIONS } from './openapi.js';

// GET /v1/openapi.json and the live docs at /v1/docs. Registered before the routes it documents:
// @fastify/swagger learns them from Fastify's onRoute hook. Swagger UI's assets are served from
// the @fastify/swagger-ui package itself, so the page works offline and loads nothing from a CDN.

export const OPENAPI_PATH = '/v1/openapi.json';
export const DOCS_PATH = '/v1/docs';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, SWAGGER_OPTIONS);
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    uiConfig: {
      // The plugin forces `url` to its own /v1/docs/json; Swagger UI prefers `urls`, so the top bar
      // shows and loads the address the README names.
      urls: [{ url: OPENAPI_PATH, name: OPENAPI_PATH }],
      // The page is for trying the API: the forms are open, the token is kept across reloads.
      tryItOutEnabled: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      defaultModelsExpandDepth: 1,
    },
    validatorUrl: false, // never send the document to an outside validator
    // Only our own origin: no CDN, no outside calls. Swagger UI sets style attributes, hence unsafe-inline.
    staticCSP:
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
      "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'",
  });
  // The document is built once, on the first call, and cached by @fastify/swagger.
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
