import { pathToFileURL } from 'node:url';
import type { Config } from '../src/config.js';
import type { Store } from '../src/store/store.js';

// The store of the build being measured (--bin), not of this checkout: the database is seeded by
// the code that will serve it, so a build before or after a schema change (a migration that
// renames a column) runs on a database it can read. A build's bin/pacerpro-auth.js has its
// compiled sources in ../dist/.

export interface BuildStore {
  openStore(config: Config): Promise<Store>;
  loadConfig(env: Record<string, string | undefined>): Config;
}

export async function storeOfBuild(bin: string): Promise<BuildStore> {
  const dist = new URL('../dist/', pathToFileURL(bin));
  const [{ openStore }, { loadConfig }] = await Promise.all([
    import(new URL('store/open-store.js', dist).href) as Promise<Pick<BuildStore, 'openStore'>>,
    import(new URL('config.js', dist).href) as Promise<Pick<BuildStore, 'loadConfig'>>,
  ]);
  // A build from before the store was split into parts (users, audit, …) has the users' methods on
  // the store itself: seed it through them, so such a build can still be measured side by side.
  const openSplit = async (config: Config): Promise<Store> => {
    const store: Store | Omit<Store, 'users'> = await openStore(config);
    if ('users' in store) return store;
    const unsplit = store as unknown as Store['users'];
    return { dialect: store.dialect, users: unsplit, close: () => store.close() } as Store;
  };
  return { openStore: openSplit, loadConfig };
}
