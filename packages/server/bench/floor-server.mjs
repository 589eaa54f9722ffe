// The floor: the least a refresh can do on this stack, for comparison with the real server. Bare
// Fastify (no logger, no hooks), node:crypto HMAC-SHA256 under a key object, one prepared
// better-sqlite3 read of the user's jti in the benchmark's own database, a new token signed and
// answered. No audit trail, no metrics, no request ids, few of the checks: no server that keeps
// those can be faster than this, so it shows how much of the gap to the baseline is the work itself.
//
//   node floor-server.mjs PORT DATABASE_PATH   (PACERPRO_JWT_SECRET in the environment)
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

const [port, databasePath] = process.argv.slice(2);
const db = new Database(databasePath, { readonly: true });
const userById = db.prepare('SELECT jti, locked FROM users WHERE id = ?');
const key = createSecretKey(Buffer.from(process.env.PACERPRO_JWT_SECRET, 'utf8'));
const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const mac = (input) => createHmac('sha256', key).update(input).digest('base64url');

const app = Fastify();
const Session = { type: 'object', properties: { jwtToken: { type: 'string' }, expiresAt: { type: 'string' } } };
app.get('/v1/session', { schema: { response: { 200: Session } } }, async (request, reply) => {
  const token = (request.headers.authorization ?? '').slice('Bearer '.length);
  const last = token.lastIndexOf('.');
  const given = Buffer.from(token.slice(last + 1));
  const expected = Buffer.from(mac(token.slice(0, last)));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({});
  const claims = JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, last), 'base64url').toString('utf8'));
  const user = userById.get(claims.sub);
  if (!user || user.locked || user.jti !== claims.jti) return reply.code(401).send({});
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const input = `${HEADER}.${Buffer.from(JSON.stringify({ jti: user.jti, sub: claims.sub, scp: 'user', exp })).toString('base64url')}`;
  const issued = `${input}.${mac(input)}`;
  reply.header('authorization', `Bearer ${issued}`);
  return { jwtToken: issued, expiresAt: new Date(exp * 1000).toISOString() };
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
