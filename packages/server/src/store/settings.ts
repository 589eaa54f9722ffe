// The settings part of the store: values every node must share, such as the JWT secret.

export interface SettingsStore {
  /**
   * Returns the JWT secret kept in the database, storing `candidate` first if there is none yet.
   * Atomic: concurrent first starts on one database all end up with the same secret.
   */
  getOrCreateJwtSecret(candidate: string): Promise<string>;
}
