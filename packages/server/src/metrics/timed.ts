import { performance } from 'node:perf_hooks';
import type { PasswordHasher } from '../auth/passwords.js';
import type { UserStore } from '../store/user-store.js';
import type { Metrics } from './metrics.js';
import type { SeriesHistogram } from './series-histogram.js';

// Decorators that time the slow dependencies (password hashing, the database) without either
// of them knowing about metrics. The histogram series of each method is made once, here, not on
// every call.

type AsyncMethod = (...args: never[]) => Promise<unknown>;

function timeMethods<T extends object>(target: T, names: readonly (keyof T & string)[], observeFor: (name: string) => (seconds: number) => void): T {
  const timed: Record<string, unknown> = {};
  for (const name of names) {
    const method = target[name] as unknown as AsyncMethod;
    const observe = observeFor(name);
    // Not an async wrapper: that would add its own promise and await to every call (a refresh
    // makes one), where observing the method's own promise is enough.
    timed[name] = (...args: never[]) => {
      const start = performance.now();
      const done = () => observe((performance.now() - start) / 1000);
      let result: Promise<unknown>;
      try {
        result = method.apply(target, args);
      } catch (error) {
        done();
        return Promise.reject(error);
      }
      result.then(done, done); // this branch handles the rejection; the caller gets result's own
      return result;
    };
  }
  // Untimed members (sync checks, properties) pass through unchanged.
  return { ...target, ...timed };
}

export function timePasswordHasher(hasher: PasswordHasher, metrics: Metrics): PasswordHasher {
  return timeMethods(hasher, ['hash', 'verify', 'verifyDummy'], observerFor(metrics.passwordHashDuration));
}

/** Every async method of the store except close(), labelled by its name. */
export function timeUserStore(store: UserStore, metrics: Metrics): UserStore {
  const names = (Object.keys(store) as (keyof UserStore)[]).filter((name) => typeof store[name] === 'function' && name !== 'close');
  return timeMethods(store, names, observerFor(metrics.databaseDuration));
}

function observerFor(histogram: SeriesHistogram) {
  return (operation: string) => {
    const series = histogram.series({ operation });
    return (seconds: number) => histogram.observe(series, seconds);
  };
}
