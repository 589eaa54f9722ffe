import { buildMattersApp } from './app.js';

// DATABASE_URL: the auth server's database (its SQLite file or postgres:// URL), so both share
// users, jtis and the JWT secret. PACERPRO_JWT_SECRET when the auth server is given one.
const app = await buildMattersApp({
  databaseUrl: process.env.DATABASE_URL ?? './data/pacerpro.db',
  ...(process.env.PACERPRO_JWT_SECRET ? { secret: process.env.PACERPRO_JWT_SECRET } : {}),
});
const address = await app.listen({ port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? '127.0.0.1' });
console.log(`matters API listening on ${address}`);
