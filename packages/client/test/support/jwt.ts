// Re-signs a real token with changed claims or another key, so tests reach the server's refusals
// (expired, badly signed) without waiting for a token to age.
import { createHmac } from 'node:crypto';

export function forgeToken(token: string, claims: Record<string, unknown>, secret: string): string {
  const [header, payload] = token.split('.');
  const changed = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')), ...claims };
  const body = `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** The same token expired a minute ago, as a Session: the server refuses it as token_expired. */
export function expiredCopy(token: string, secret: string): { jwtToken: string; expiresAt: Date } {
  const exp = Math.floor(Date.now() / 1000) - 60;
  return { jwtToken: forgeToken(token, { exp }, secret), expiresAt: new Date(exp * 1000) };
}
