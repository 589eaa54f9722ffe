// The known-clients part of the store: the device credentials an account issued and the
// addresses it logged in from (auth/login-lane.ts). Both go with the account: by ON DELETE CASCADE
// on SQLite, by the users part's delete on PostgreSQL (whose users may be a Rails table we do not own).

export interface StoredDeviceCredential {
  readonly userId: number;
  readonly lastUsedAt: Date;
}

/** An account's known clients, as the lane keys of their counters are made from them. */
export interface AccountClients {
  readonly addresses: readonly string[];
  readonly deviceIds: readonly string[];
}

export interface KnownClientStore {
  /** The credential by the SHA-256 id of its value (auth/device-credential.ts). */
  findDeviceCredential(id: string): Promise<StoredDeviceCredential | undefined>;
  /** Records a new credential, then drops the user's least recently used ones beyond `keepAtMost`. */
  addDeviceCredential(id: string, userId: number, keepAtMost: number): Promise<void>;
  touchDeviceCredential(id: string): Promise<void>;
  /** Whether the user logged in successfully from the address since `since`. */
  isKnownAddress(userId: number, address: string, since: Date): Promise<boolean>;
  /** Records a successful login from the address, then keeps the user's `keepAtMost` most recent. */
  rememberAddress(userId: number, address: string, keepAtMost: number): Promise<void>;
  listAccountClients(userId: number): Promise<AccountClients>;
  /** Revokes every device credential of the user and forgets its addresses. */
  forgetAccountClients(userId: number): Promise<void>;
  /** Forgets addresses not logged in from since `addressesBefore` and credentials unused since `devicesBefore`. */
  pruneKnownClients(addressesBefore: Date, devicesBefore: Date): Promise<number>;
}
