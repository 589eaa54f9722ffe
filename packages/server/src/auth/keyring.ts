// The secrets tokens are verified with: the current one, which signs, and up to three previous
// ones that still verify, so a rotation logs nobody out (SECURITY.md, "Rotating the secret"). The
// header carries no key id (docs/contract.md pins it to {"alg":"HS256","typ":"JWT"}), so verification
// tries the current secret first (a current token costs one HMAC, as with one secret) and the
// previous ones, newest first, only when that signature does not match.

export const MAX_PREVIOUS_SECRETS = 3;

export interface Keyring {
  readonly current: string;
  /** Newest first. */
  readonly previous: readonly string[];
}

/** Which secret a verification matched, as the metric labels it; `none`: a well-formed token no secret signed. */
export type SecretLabel = 'current' | 'previous-1' | 'previous-2' | 'previous-3' | 'none';

export const SECRET_LABELS: readonly SecretLabel[] = ['current', 'previous-1', 'previous-2', 'previous-3', 'none'];

/** The label of the secret at `index` of [current, ...previous]. */
export const secretLabel = (index: number): SecretLabel => (index === 0 ? 'current' : (`previous-${index}` as SecretLabel));

export const sameKeyring = (a: Keyring, b: Keyring): boolean =>
  a.current === b.current && a.previous.length === b.previous.length && a.previous.every((secret, i) => secret === b.previous[i]);
