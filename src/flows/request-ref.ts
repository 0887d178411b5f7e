// A request's reference on what it creates (a store order, a refund): a keyed hash of the caller and the request's
// Idempotency-Key. A retry whose first attempt died after its work committed but before its answer was kept (the
// process killed, the database lost: drills (a) and (b) of issue 13) finds that work by it, instead of doing it twice.
// Hashed with the server secret, so the column names nobody (who asked is kept where erasure handles it).
import { createHmac } from 'node:crypto';
import type { Deps } from '../deps.ts';

export function requestRef(deps: Pick<Deps, 'secret'>, purpose: 'checkout' | 'refund', callerId: string, idempotencyKey: string | undefined): string | null {
  if (!idempotencyKey) return null;
  return `request:${createHmac('sha256', deps.secret).update(`${purpose}-request\n${callerId}\n${idempotencyKey}`).digest('base64url').slice(0, 32)}`;
}
