import type { AccountClients } from '../store/known-clients.js';

// The three lanes a login goes through (SECURITY.md, "Login throttling, by lane"), after OWASP's device
// cookies: failures that strangers cause must never stop the owner from logging in from a client
// the account already knows. Each lane has its own failure counter and throttles only itself:
//
// - device:        the client sent a device credential this account issued (device-credential.ts);
// - known_address: no such credential, but the account logged in from this address recently;
// - unknown:       everything else, e-mails without an account included: one counter per e-mail.

export const LOGIN_LANES = ['device', 'known_address', 'unknown'] as const;
export type LoginLaneKind = (typeof LOGIN_LANES)[number];

export interface LoginLane {
  readonly kind: LoginLaneKind;
  /** The row of its counter in the login_failures table. */
  readonly key: string;
}

// The prefixes keep the three kinds apart: a submitted e-mail can never name another lane's row.
export const unknownLane = (emailKey: string): LoginLane => ({ kind: 'unknown', key: `e:${emailKey}` });
export const knownAddressLane = (userId: number, address: string): LoginLane => ({
  kind: 'known_address',
  key: `a:${userId}:${address}`,
});
export const deviceLane = (userId: number, credentialId: string): LoginLane => ({ kind: 'device', key: `d:${userId}:${credentialId}` });

/** How long a known client stays known without a successful login from it. */
export const KNOWN_ADDRESS_DAYS = 30;
/** The addresses remembered per account: the most recent ones. */
export const KNOWN_ADDRESSES_PER_ACCOUNT = 10;
/** The device credentials kept per account: the most recently used ones. */
export const DEVICE_CREDENTIALS_PER_ACCOUNT = 20;

/** The lane keys of every lane an account has: what `users unlock` clears. */
export function accountLaneKeys(emailKey: string, userId: number, clients: AccountClients): string[] {
  return [
    unknownLane(emailKey).key,
    ...clients.addresses.map((address) => knownAddressLane(userId, address).key),
    ...clients.deviceIds.map((id) => deviceLane(userId, id).key),
  ];
}
