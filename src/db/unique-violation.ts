// Recognising a unique-constraint refusal on both dialects, in one place (CONVENTIONS 5: dialect differences in db/).
const sqliteUniqueCodes = new Set([
  2067, // SQLITE_CONSTRAINT_UNIQUE
  1555, // SQLITE_CONSTRAINT_PRIMARYKEY
]);

/**
 * True when a unique index or primary key refused a row: PostgreSQL reports SQLSTATE 23505; node:sqlite an error whose
 * `errcode` is SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY (message "UNIQUE constraint failed: …"). Callers use it to
 * turn a race that slipped past their check into a clear answer. It looks through `cause`, because a driver or a
 * transaction wrapper may wrap the database's error; other constraint failures (NOT NULL, CHECK, foreign keys) are not
 * unique violations.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, errcode, message, cause } = current as { code?: unknown; errcode?: unknown; message?: unknown; cause?: unknown };
    if (code === '23505') return true;
    if (typeof errcode === 'number' && sqliteUniqueCodes.has(errcode)) return true;
    // An SQLite build that reports only the primary result code (SQLITE_CONSTRAINT) still names the constraint kind.
    if (typeof message === 'string' && message.includes('UNIQUE constraint failed')) return true;
    current = cause;
  }
  return false;
}
