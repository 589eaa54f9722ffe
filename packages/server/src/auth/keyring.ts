// The secrets tokens are verified with: the current one, which signs, and up to three previous
// ones that still verify, so a rotation logs nobody out (SECURITY.md, "Rotating the secret"). The
// header carries no key id (docs/contract.md pins it to {"alg":"HS256","typ":"JWT"}), so verification
// tries the current secret first (a current token costs one HMAC, as with one secret) and the
// previous ones, newest first, only when that signature does not match.

export const MAX_PREVIOUS_SECRETS = 3;

export interface Keyring {
  readonly current: string;
  /**
   * A rotated-in secret that does not sign yet, only verifies: for the first seconds after a
   * rotation every node learns it before any node signs with it, so no node refuses another's
   * fresh token (secret-rotation.ts, ACTIVATION_MS).
   */
  readonly upcoming?: string | undefined;
  /** Newest first. */
  readonly previous: readonly string[];
}

/** Which secret a verification matched, as the metric labels it; `none`: a well-formed token no secret signed. */
export type SecretLabel = 'current' | 'upcoming' | 'previous-1' | 'previous-2' | 'previous-3' | 'none';

export const SECRET_LABELS: readonly SecretLabel[] = ['current', 'upcoming', 'previous-1', 'previous-2', 'previous-3', 'none'];

/** The keyring's secrets in the order verification tries them, with their labels. */
export function verificationOrder({ current, upcoming, previous }: Keyring): { secret: string; label: SecretLabel }[] {
  return [
    { secret: current, label: 'current' },
    ...(upcoming === undefined ? [] : [{ secret: upcoming, label: 'upcoming' as const }]),
    ...previous.map((secret, i) => ({ secret, label: `previous-${i + 1}` as SecretLabel })),
  ];
}

export const sameKeyring = (a: Keyring, b: Keyring): boolean =>
  a.current === b.current &&
  a.upcoming === b.upcoming &&
  a.previous.length === b.previous.length &&
  a.previous.every((secret, i) => secret === b.previous[i]);
