import { hash } from '@node-rs/bcrypt';
import { createHmac } from 'node:crypto';

// What a Rails app with Devise + devise-jwt leaves behind: its users table, its bcrypt hashes,
// and the tokens it issued.

/** The users table of a Rails app after `rails g devise User` with :lockable and devise-jwt's JTIMatcher. */
export const DEVISE_USERS_TABLE = `
  CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email character varying NOT NULL DEFAULT '',
    encrypted_password character varying NOT NULL DEFAULT '',
    reset_password_token character varying,
    reset_password_sent_at timestamp(6) without time zone,
    remember_created_at timestamp(6) without time zone,
    failed_attempts integer NOT NULL DEFAULT 0,
    unlock_token character varying,
    locked_at timestamp(6) without time zone,
    created_at timestamp(6) without time zone NOT NULL DEFAULT now(),
    updated_at timestamp(6) without time zone NOT NULL DEFAULT now(),
    jti character varying NOT NULL
  );
  CREATE UNIQUE INDEX index_users_on_email ON users (email);
  CREATE UNIQUE INDEX index_users_on_jti ON users (jti);`;

/**
 * A hash as Devise::Encryptor writes it: bcrypt of password + pepper. Ruby's bcrypt writes $2a$;
 * the prefix can be swapped for $2b$ or $2y$, which name the same algorithm.
 */
export async function deviseHash(password: string, { cost = 10, pepper = '', prefix = '$2a$' } = {}): Promise<string> {
  return prefix + (await hash(password + pepper, cost)).slice(4);
}

/**
 * A token exactly as devise-jwt (warden-jwt_auth with ruby-jwt) issues it: header {"alg":"HS256"}
 * without typ, and iat and aud (null without a JWT_AUD header) besides the JTIMatcher claims.
 */
export function deviseJwt(secret: string, claims: { sub: number | string; jti: string; iat?: number; exp?: number }): string {
  const iat = claims.iat ?? Math.floor(Date.now() / 1000);
  const payload = { sub: claims.sub, scp: 'user', aud: null, iat, exp: claims.exp ?? iat + 3600, jti: claims.jti };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'HS256' })}.${part(payload)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}
