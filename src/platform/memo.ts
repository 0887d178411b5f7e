// Memoised pure functions: the one sanctioned module-level cache (lint bans module-level Maps in src/modules). Only
// for a function whose value depends on its key alone (formatters, SQL texts, holiday tables), so sharing the cache
// between installations and tests can never leak one's state into another.

export function memoize<K, V>(compute: (key: K) => V): (key: K) => V {
  const values = new Map<K, V>();
  return (key) => {
    if (values.has(key)) return values.get(key)!;
    const value = compute(key);
    values.set(key, value);
    return value;
  };
}
