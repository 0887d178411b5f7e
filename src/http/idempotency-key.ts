// The Idempotency-Key request header (PL-4) at the HTTP boundary: its schema for a route's OpenAPI entry and the one
// reader that validates it. What a key guards (replaying the first answer to a retry) is src/http/idempotency.ts.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.ts';

export const idempotencyKeyHeader = 'idempotency-key';

/** Printable ASCII without spaces; long enough that a client's keys do not collide by accident (a UUID fits). */
const keyPattern = /^[\x21-\x7e]{8,255}$/;

/**
 * For `schema.headers`: names the header in the API document. The checking is left to readIdempotencyKey so that a
 * missing or malformed key gets one clear message rather than the generic field error.
 */
export const idempotencyKeyHeaders = z.object({ [idempotencyKeyHeader]: z.string().optional() });

/** The request's key, or undefined when it sent none and none is required; a 400 `validation` error otherwise. */
export function readIdempotencyKey(request: FastifyRequest, options: { required: true }): string;
export function readIdempotencyKey(request: FastifyRequest, options: { required: boolean }): string | undefined;
export function readIdempotencyKey(request: FastifyRequest, options: { required: boolean }): string | undefined {
  const header = request.headers[idempotencyKeyHeader];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') {
    if (options.required) throw new AppError('validation', 'Send an Idempotency-Key header (8-255 printable characters, a UUID is fine) so this request can be retried safely.', { header: 'Idempotency-Key' });
    return undefined;
  }
  if (!keyPattern.test(value)) throw new AppError('validation', 'The Idempotency-Key header must be 8-255 printable characters.', { header: 'Idempotency-Key' });
  return value;
}
