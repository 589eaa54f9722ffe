import { createHash, randomBytes } from 'node:crypto';

// The device credential of a known client: 32 random bytes, base64url, handed out by a successful
// login in the PacerPro-Device response header and sent back in the same request header. The
// database keeps only its SHA-256, so a copy of the database lets nobody through the device lane;
// 256 random bits cannot be guessed, so a lookup by hash needs no constant-time comparison.

const CREDENTIAL = /^[A-Za-z0-9_-]{43}$/;

export interface DeviceCredential {
  /** What the client keeps and sends back. */
  readonly credential: string;
  /** What the database keeps. */
  readonly id: string;
}

const idOf = (credential: string) => createHash('sha256').update(credential).digest('hex');

export function newDeviceCredential(): DeviceCredential {
  const credential = randomBytes(32).toString('base64url');
  return { credential, id: idOf(credential) };
}

/** The id of a presented credential, or undefined when it cannot be one of ours (so no look-up is made). */
export function presentedDeviceCredential(header: string | undefined): DeviceCredential | undefined {
  if (header === undefined || !CREDENTIAL.test(header)) return undefined;
  return { credential: header, id: idOf(header) };
}
