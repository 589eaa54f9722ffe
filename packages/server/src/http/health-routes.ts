import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import { StoreUnavailableError } from '../store/store-errors.js';
import { HealthSchema, ReadinessSchema } from './schemas.js';

// /healthz: the process answers. /readyz: the database answers and its schema is in place.
// Both are cheap enough to poll every second.
export async function healthRoutes(app: FastifyInstance, { store }: { store: Pick<Store, 'dialect' | 'ping'> }) {
  app.get('/healthz', { schema: { response: { 200: HealthSchema } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { schema: { response: { 200: ReadinessSchema } } }, async (request) => {
    try {
      await store.ping();
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed: the database does not answer');
      // Answered like any other outage of the store (503 with Retry-After) by the error handler.
      throw new StoreUnavailableError('the database does not answer its readiness check', { cause: error });
    }
    return { status: 'ready' as const, database: store.dialect };
  });
}
