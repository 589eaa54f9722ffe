import type { FastifyInstance } from 'fastify';
import { ApiProblem } from '../errors.js';
import type { UserStore } from '../store/user-store.js';

// /healthz: the process answers. /readyz: the database answers and its schema is in place.
// Both are cheap enough to poll every second.
export async function healthRoutes(app: FastifyInstance, { store }: { store: UserStore }) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request) => {
    try {
      await store.ping();
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed: the database does not answer');
      throw new ApiProblem('service_unavailable', { 'retry-after': '1' });
    }
    return { status: 'ready', database: store.dialect };
  });
}
