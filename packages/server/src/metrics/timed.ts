import { performance } from 'node:perf_hooks';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { SeriesHistogram } from './series-histogram.js';

// Timing for the slow dependencies (password hashing, the database) without either of them
// knowing about metrics: a decorator for the store, an observer for the password hasher (which
// times its own threads). The histogram series of each operation is made once, here, not on every
// call, and is listed from the start.

type AsyncMethod = (...args: never[]) => Promise<unknown>;

function timeMethods<T extends object>(
  target: T,
  names: readonly (keyof T & string)[],
  observeFor: (name: string) => (seconds: number) => void,
): T {
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

/** Observes a duration in the histogram, labelled by its operation, one of `operations`. */
export function observerByOperation<O extends string>(
  histogram: SeriesHistogram,
  operations: readonly O[],
): (operation: O, seconds: number) => void {
  const observers = new Map(operations.map((operation) => [operation, observerFor(histogram)(operation)]));
  return (operation, seconds) => observers.get(operation)!(seconds);
}

/** The names of an object's methods: every member of a store part is one. */
function methodsOf<T extends object>(target: T): (keyof T & string)[] {
  return (Object.keys(target) as (keyof T & string)[]).filter((name) => typeof target[name] === 'function');
}

/**
 * Every async method of the store except close(), each part's included, labelled by its name alone
 * (findUserById, not users.findUserById): those label values are what operators graph and alert on,
 * and the method names are unique across the parts.
 */
export function timeStore(store: Store, metrics: Metrics): Store {
  const observe = observerFor(metrics.databaseDuration);
  return {
    ...timeMethods(
      store,
      methodsOf(store).filter((name) => name !== 'close'),
      observe,
    ),
    users: timeMethods(store.users, methodsOf(store.users), observe),
    loginFailures: timeMethods(store.loginFailures, methodsOf(store.loginFailures), observe),
    knownClients: timeMethods(store.knownClients, methodsOf(store.knownClients), observe),
    audit: timeMethods(store.audit, methodsOf(store.audit), observe),
    settings: timeMethods(store.settings, methodsOf(store.settings), observe),
  };
}

function observerFor(histogram: SeriesHistogram) {
  return (operation: string) => {
    const series = histogram.series({ operation });
    return (seconds: number) => histogram.observe(series, seconds);
  };
}
