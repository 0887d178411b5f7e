// Describes a failure for `last_error` columns and logs without personal data: error messages from SMTP servers
// and drivers often quote addresses and values, so only names, codes and our own invariant messages are kept.
import { ZodError } from 'zod';
import { InvariantError } from '../platform/assert.ts';
import { isAppError } from '../platform/errors.ts';

const maxLength = 300;

/** Errors whose message is written by programmers about code, never about a person (not SyntaxError: JSON.parse quotes its input). */
function hasCodeOnlyMessage(error: Error): boolean {
  return error instanceof InvariantError || error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError;
}

function field(error: object, name: string): string | undefined {
  const value: unknown = (error as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

export function describeErrorSafely(error: unknown): string {
  let text: string;
  if (isAppError(error)) text = `AppError ${error.code}`;
  else if (error instanceof ZodError) {
    text = `ZodError ${error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`).join('; ')}`;
  } else if (error instanceof Error) {
    const parts = [error.name];
    const code = field(error, 'code');
    if (code) parts.push(code);
    // SMTP replies carry a numeric status (550, 421…) that says what went wrong without saying to whom.
    const responseCode = field(error, 'responseCode');
    if (responseCode) parts.push(`smtp ${responseCode}`);
    if (hasCodeOnlyMessage(error)) parts.push(error.message);
    text = parts.join(' ');
  } else text = `non-error thrown (${typeof error})`;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
