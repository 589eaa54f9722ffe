import type Database from 'better-sqlite3';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreUnavailableError } from '../store-errors.js';

// The write that tells whether writes can succeed: at start-up (a database that cannot be written
// stops start-up) and for readiness after a storage fault (write-health.ts). A committed write alone
// is not enough on a full disk: SQLite reuses the WAL file's space, so a one-page write can commit
// where a logout's pages cannot. So the probe also asks the filesystem for room.

/** Room for a few dozen write transactions' WAL frames; below it the disk counts as full. */
export const MIN_FREE_BYTES = 256 * 1024;

/** Throws StoreUnavailableError (or SQLite's own error, for translate) while the database cannot be written. */
export function writeProbe(db: Database.Database, path: string): () => void {
  // An update that changes nothing still writes its page: it needs the write lock, a writable file and working I/O.
  const touch = db.prepare(
    'UPDATE schema_migrations SET applied_at = applied_at WHERE version = (SELECT max(version) FROM schema_migrations)',
  );
  const commit = db.transaction(() => touch.run());
  return () => {
    if (path !== ':memory:') {
      const { bavail, bsize } = statfsSync(dirname(path));
      if (bavail * bsize < MIN_FREE_BYTES) {
        throw new StoreUnavailableError(
          `the disk holding the SQLite database ${path} is full (${bavail * bsize} bytes free); free space there: writes resume by themselves`,
        );
      }
    }
    commit.immediate();
  };
}
