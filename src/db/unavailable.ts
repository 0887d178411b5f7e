// Whether an error means the database cannot be reached right now (PostgreSQL restarting or failing over, the network
// to it cut, SQLite's file locked past its busy timeout is NOT one of these), as opposed to a bug or a refused
// statement: the HTTP layer answers these with 503 and Retry-After instead of a 500 (drill (b), issue 13).

/** Socket errors of a connection that could not be made or was cut. */
const socketErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * PostgreSQL's SQLSTATEs for "not now": class 08 (connection exception), 57P01 admin shutdown, 57P02 crash shutdown,
 * 57P03 cannot connect now (starting up or shutting down).
 */
function isUnavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03';
}

/** node-postgres' own messages for a connection that ended or could not be had in time. */
const driverMessages = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  // The failure may be wrapped (a cause) or one of several attempts (AggregateError of each address tried).
  const pending: unknown[] = [error];
  for (let seen = 0; pending.length > 0 && seen < 10; seen++) {
    const current = pending.shift();
    if (!current || typeof current !== 'object') continue;
    const { code, message, cause, errors } = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && (socketErrorCodes.has(code) || isUnavailableSqlState(code))) return true;
    if (typeof message === 'string' && driverMessages.test(message)) return true;
    if (cause) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}
