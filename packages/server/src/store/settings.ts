// The settings part of the store: values every node must share: the generated JWT secret, the
// previous ones a rotation keeps verifying (auth/keyring.ts), and when a node last saw one in use.

export interface PreviousSecret {
  readonly secret: string;
  /** When it stopped signing: tokens it signed expire at most one token lifetime later. */
  readonly rotatedAt: Date;
}

export interface StoredJwtSecrets {
  readonly current: string;
  /** Newest first. */
  readonly previous: readonly PreviousSecret[];
  /** The last time a node verified a token with a previous secret (recorded at most once a minute). */
  readonly previousUsedAt: Date | undefined;
}

export interface SettingsStore {
  /**
   * Returns the JWT secret kept in the database, storing `candidate` first if there is none yet.
   * Atomic: concurrent first starts on one database all end up with the same secret.
   */
  getOrCreateJwtSecret(candidate: string): Promise<string>;
  /** The generated secrets; undefined when none was ever generated. */
  getJwtSecrets(): Promise<StoredJwtSecrets | undefined>;
  /**
   * Replaces the current and previous secrets in one atomic write, only if the current one is
   * still `expectedCurrent` (another rotation did not run meanwhile); returns whether it did.
   */
  replaceJwtSecrets(expectedCurrent: string, current: string, previous: readonly PreviousSecret[]): Promise<boolean>;
  recordPreviousSecretUse(at: Date): Promise<void>;
  /** Deletes the generated secrets (a move to PACERPRO_JWT_SECRET). */
  forgetJwtSecrets(): Promise<void>;
}

/** The settings rows: 'jwt_secret' (the current secret, as ever) and these two. */
export const PREVIOUS_SECRETS_KEY = 'jwt_previous_secrets';
export const PREVIOUS_USED_KEY = 'jwt_previous_used_at';

export const encodePrevious = (previous: readonly PreviousSecret[]): string =>
  JSON.stringify(previous.map(({ secret, rotatedAt }) => ({ secret, rotatedAt: rotatedAt.getTime() })));

/** The stored secrets from the three rows' values (undefined where a row is missing). */
export function storedSecrets(
  current: string | undefined,
  previousJson: string | undefined,
  usedMs: string | undefined,
): StoredJwtSecrets | undefined {
  if (current === undefined) return undefined;
  const previous = previousJson === undefined ? [] : (JSON.parse(previousJson) as { secret: string; rotatedAt: number }[]);
  return {
    current,
    previous: previous.map(({ secret, rotatedAt }) => ({ secret, rotatedAt: new Date(rotatedAt) })),
    previousUsedAt: usedMs === undefined ? undefined : new Date(Number(usedMs)),
  };
}
