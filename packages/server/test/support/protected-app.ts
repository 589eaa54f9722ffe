import Fastify, { type FastifyInstance } from 'fastify';
import { pacerproAuth, type PacerproAuthOptions } from '../../src/plugin.js';

// Another app that trusts PacerPro sessions through pacerproAuth, for the tests of what the plugin
// accepts: one protected route on a real socket.

/** An app with one route behind pacerproAuth, listening on a real socket. */
export async function protectedApp(options: PacerproAuthOptions): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  await app.register(async (api) => {
    await api.register(pacerproAuth, options);
    api.get('/v1/matters', async (request) => ({ user: request.pacerproUser!.id }));
  });
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

/** The status the protected route answers a request with this token. */
export const statusAt = async (url: string, token: string): Promise<number> =>
  (await fetch(`${url}/v1/matters`, { headers: { authorization: `Bearer ${token}` } })).status;
