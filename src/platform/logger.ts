// Structured JSON logs (PL-12). Personal data, secrets and tokens are redacted by path; URLs lose their query.
import { pino, type Logger } from 'pino';

export type { Logger };

const redactPaths = [
  'password', '*.password', 'newPassword', '*.newPassword', 'token', '*.token', 'code', '*.code',
  'email', '*.email', 'phone', '*.phone', 'secret', '*.secret', 'apiKey', '*.apiKey',
  'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // Database and HTTP-client errors can quote the row or the response they failed on (a PostgreSQL unique
  // violation names the duplicated email in `detail`); the message and stack are enough to find the bug.
  'err.detail', 'err.parameters', 'err.where', 'err.response', 'err.body', 'err.cause.detail', 'err.cause.response',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: undefined }, destination);
}

/** Drops the query string: verification and reset links carry their token there. */
export function pathOnly(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}
