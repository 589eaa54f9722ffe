import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

// Compact JWS with HS256 and nothing else: node:crypto's synchronous HMAC-SHA256 under a key object
// made once. A refresh verifies one token and signs another, so this is on the hottest path; a
// general JWT library spent more on decoding, option handling and algorithm dispatch than on the
// HMAC itself (bench/NOTES.md: 12 µs of CPU per refresh). What a token may claim is checked by the
// caller (tokens.ts); here only whether this key signed exactly these bytes.

export interface Hs256 {
  /** `header.payload.signature` with our header {"alg":"HS256","typ":"JWT"}. */
  sign(payload: object): string;
  /**
   * The decoded header and payload of a token this key signed, or undefined: a malformed token,
   * another key's signature, or one segment that is not JSON. Nothing is parsed before the
   * signature is checked.
   */
  verify(token: string): { readonly header: unknown; readonly payload: unknown } | undefined;
}

const OUR_HEADER = Object.freeze({ alg: 'HS256', typ: 'JWT' });
const OUR_HEADER_SEGMENT = Buffer.from(JSON.stringify(OUR_HEADER)).toString('base64url');

const decodeSegment = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

export function createHs256(secret: string): Hs256 {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const signatureOf = (input: string) => createHmac('sha256', key).update(input).digest('base64url');

  return {
    sign(payload) {
      const input = `${OUR_HEADER_SEGMENT}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${input}.${signatureOf(input)}`;
    },
    verify(token) {
      const first = token.indexOf('.');
      const last = token.lastIndexOf('.');
      // Exactly three segments, none of them empty.
      if (first < 1 || last !== token.indexOf('.', first + 1) || last === first + 1 || last === token.length - 1) return undefined;
      // Compared as the canonical base64url text, so one signature has exactly one spelling.
      const expected = Buffer.from(signatureOf(token.slice(0, last)));
      const given = Buffer.from(token.slice(last + 1));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const header = token.slice(0, first);
        return { header: header === OUR_HEADER_SEGMENT ? OUR_HEADER : decodeSegment(header), payload: decodeSegment(token.slice(first + 1, last)) };
      } catch {
        return undefined; // signed, yet not JSON: still not a token we accept
      }
    },
  };
}
