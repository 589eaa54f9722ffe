import type { FastifyRequest } from 'fastify';

// The device credential's carrier (auth/device-credential.ts): a successful POST /v1/session
// answers with it, and the client sends it back on its next logins. A header, not a field of the
// Session body, so the published clients, which read the body only, see nothing new.

export const DEVICE_HEADER = 'pacerpro-device';
/** As it is written in answers and documented (headers are case-insensitive). */
export const DEVICE_HEADER_NAME = 'PacerPro-Device';

/** The header as sent, when sent once; a repeated header is no credential. */
export function deviceCredentialOf(request: FastifyRequest): string | undefined {
  const value = request.headers[DEVICE_HEADER];
  return typeof value === 'string' ? value : undefined;
}
