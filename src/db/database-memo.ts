// Per-database memory, for facts a database never changes once written (published policy versions are immutable)
// and for hints that are safe when stale (the newest policy seen). Keyed by the adapter that every transaction of one
// Kysely instance shares, so a test's databases never see each other's entries. The one place for such state: lint
// bans module-level Maps and WeakMaps in src/modules, so no module grows its own service locator.
import type { Executor } from './database.ts';

export function databaseMemo<T>(create: () => T): (db: Executor) => T {
  const perDatabase = new WeakMap<object, T>();
  return (db) => {
    const key = db.getExecutor().adapter;
    let value = perDatabase.get(key);
    if (value === undefined) {
      value = create();
      perDatabase.set(key, value);
    }
    return value;
  };
}
