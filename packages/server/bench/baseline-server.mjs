// The baseline: a bare Fastify route answering constant JSON, with Fastify's defaults (no logger).
// Plain JavaScript run by plain node, so its resident memory carries no TypeScript loader.
import Fastify from 'fastify';

const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
