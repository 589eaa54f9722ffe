import type { AuditStore } from './audit.js';
import type { KnownClientStore } from './known-clients.js';
import type { LoginFailureStore } from './login-failures.js';
import type { SettingsStore } from './settings.js';
import type { UserRepository } from './users.js';

// The one door to persistent data, one part per concern. Sessions, the CLI and the HTTP layer talk
// to these interfaces only, each to the parts it needs, so the embedded SQLite store and the
// PostgreSQL store are interchangeable and share one test suite.

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly users: UserRepository;
  readonly loginFailures: LoginFailureStore;
  readonly knownClients: KnownClientStore;
  readonly audit: AuditStore;
  readonly settings: SettingsStore;
  /** Cheap query proving the database answers and the schema is current. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
