import { createHmac } from 'node:crypto';

// Signs our own tokens: header {"alg":"HS256","typ":"JWT"} (fixed, so encoded once), the claims
// JSON-encoded in their key order, an HMAC-SHA256 of the two. The bytes are fast-jwt's for the
// same claims (test/auth/hs256-signer.test.ts holds them equal); verifying what a client sends
// stays with fast-jwt. Signing is the one step of a refresh we write ourselves because it pays:
// fast-jwt rebuilds and encodes the header for every token (bench/NOTES.md, "Signing").

const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

/** A signer for claims objects with this secret (UTF-8). */
export function hs256Signer(secret: string): (claims: object) => string {
  const key = Buffer.from(secret, 'utf8');
  return (claims) => {
    const signed = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
  };
}
