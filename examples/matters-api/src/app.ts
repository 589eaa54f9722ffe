import Fastify, { type FastifyInstance } from 'fastify';
import { pacerproAuth, type PacerproAuthOptions } from 'pacerpro-auth/plugin';

// A matters API that trusts PacerPro sessions: GET /v1/matters needs a valid PacerPro token (from
// POST /v1/session on the auth server) and answers the matters of the user it belongs to.
// GET /healthz stays open: the plugin guards only the scope it is registered in.

interface Matter {
  readonly id: number;
  readonly title: string;
  readonly ownerEmail: string;
}

const MATTERS: readonly Matter[] = [
  { id: 1, title: 'Acme v. Roadrunner', ownerEmail: 'alice@example.com' },
  { id: 2, title: 'In re Coyote', ownerEmail: 'alice@example.com' },
  { id: 3, title: 'Wonka Industries v. Slugworth', ownerEmail: 'bob@example.com' },
];

export async function buildMattersApp(auth: PacerproAuthOptions): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/healthz', async () => ({ status: 'ok' }));

  await app.register(async (api) => {
    await api.register(pacerproAuth, auth);
    api.get('/v1/matters', async (request) => {
      const user = request.pacerproUser!; // set by pacerproAuth on every route of this scope
      const email = user.email.toLowerCase();
      return { user: { id: user.id, email: user.email }, matters: MATTERS.filter((m) => m.ownerEmail === email) };
    });
  });
  return app;
}
