import { StoreUnavailableError } from '../store-errors.js';

// Whether writes can succeed, for /readyz. Cheap while all is well: the last write's outcome, no
// extra I/O. After a write failed for want of storage (disk full, read-only file, I/O error) the
// store is not ready, and readiness checks probe again, at most once a second, with a write that
// really has to reach the disk (see sqlite.ts): readiness returns by itself once space returns,
// without a restart, and so does the next write that succeeds.

export const PROBE_INTERVAL_MS = 1000;

export interface WriteHealth {
  /** A write committed: writes can succeed. */
  succeeded(): void;
  /** A write failed for want of storage: not ready until a probe or a write succeeds. */
  failed(fault: StoreUnavailableError): void;
  /** Throws the storage fault while writes cannot succeed. */
  check(): void;
}

/** `probe` throws a StoreUnavailableError while writes cannot succeed. */
export function writeHealth(probe: () => void, now: () => number = () => performance.now()): WriteHealth {
  let fault: { error: StoreUnavailableError; probedAt: number } | undefined;
  return {
    succeeded: () => void (fault = undefined),
    failed: (error) => void (fault = { error, probedAt: now() }),
    check() {
      if (fault === undefined) return;
      if (now() - fault.probedAt < PROBE_INTERVAL_MS) throw fault.error;
      const last = fault.error;
      try {
        probe();
        fault = undefined;
      } catch (error) {
        fault = { error: error instanceof StoreUnavailableError ? error : last, probedAt: now() };
        throw fault.error;
      }
    },
  };
}
