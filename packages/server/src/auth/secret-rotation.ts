import type { PreviousSecret, StoredJwtSecrets } from '../store/settings.js';
import { MAX_PREVIOUS_SECRETS } from './keyring.js';

// What `pacerpro-auth secret rotate` and `secret retire` decide, as pure functions over the stored
// secrets: the CLI does the I/O. A previous secret may go once no valid token can depend on it:
// one token lifetime (TTL plus leeway) after it stopped signing, plus the time running nodes take
// to pick the rotation up, and no node saw it in use within that window.

/**
 * How long a rotated-in secret only verifies before it signs: longer than the nodes' poll (2 s), so
 * every node verifies it before any node signs with it (keyring.ts, `upcoming`).
 */
export const ACTIVATION_MS = 5_000;
/** How long after a rotation the old secret may still sign on some node: the activation, then a poll, with a margin. */
export const PICKUP_MS = 10_000;

/** The new current secret in front; the old one becomes the newest previous; the oldest beyond the bound go. */
export function rotate(stored: StoredJwtSecrets, fresh: string, at: Date): { current: string; previous: PreviousSecret[] } {
  return { current: fresh, previous: [{ secret: stored.current, rotatedAt: at }, ...stored.previous].slice(0, MAX_PREVIOUS_SECRETS) };
}

const minutes = (ms: number) => `${Math.ceil(ms / 60_000)} min`;

/** Why the previous secrets cannot be retired yet, or undefined when they can. */
export function retireRefusal(stored: StoredJwtSecrets, nowMs: number, tokenLifetimeMs: number): string | undefined {
  const newest = stored.previous[0];
  if (!newest) return 'there is no previous secret to retire';
  const window = tokenLifetimeMs + PICKUP_MS;
  const sinceRotation = nowMs - newest.rotatedAt.getTime();
  if (sinceRotation < window) {
    return `the secret was rotated ${minutes(sinceRotation)} ago: tokens signed with the previous one stay valid for ${minutes(window - sinceRotation)} more`;
  }
  const used = stored.previousUsedAt;
  if (used && nowMs - used.getTime() < window) {
    return `a node verified a token signed with a previous secret ${minutes(nowMs - used.getTime())} ago (pacerpro_jwt_verifications_total)`;
  }
  return undefined;
}
