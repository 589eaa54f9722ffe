import { StoreUnavailableError } from '../store-errors.js';

// Whether writes can succeed, for /readyz. Cheap while all is well: no extra I/O until a write
// fails. After a write failed for want of storage (disk full, read-only file, I/O error) the store
// is not ready until a probe (write-probe.ts) succeeds; readiness checks run it at most once a
// second. A write that succeeds meanwhile does not end the fault: on a full disk a small write can
// commit into the WAL file's slack while the next bigger one fails, and readiness must not flap.

export const PROBE_INTERVAL_MS = 1000;

export interface WriteHealth {
  /** A write failed for want of storage: not ready until a probe succeeds. */
  failed(fault: StoreUnavailableError): void;
  /** Throws the storage fault while writes cannot succeed. */
  check(): void;
}

/** `probe` throws a StoreUnavailableError while writes cannot succeed. */
export function writeHealth(probe: () => void, now: () => number = () => performance.now()): WriteHealth {
  let fault: { error: StoreUnavailableError; probedAt: number } | undefined;
  return {
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
