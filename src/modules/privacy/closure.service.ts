// The record of account closures (AC-10, PV-30): what the closure flow did, and when the retention period began.
import type { Ctx } from '../../deps.ts';
import { findClosureOfMember as selectClosure, insertClosure, type ClosureRecord } from './closures.repository.ts';

export type { ClosureRecord };

export async function recordClosure(ctx: Pick<Ctx, 'db'>, record: ClosureRecord): Promise<void> {
  await insertClosure(ctx.db, record);
}

/** The member's closure, or undefined while the account is open. */
export async function findClosureOfMember(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<ClosureRecord | undefined> {
  return selectClosure(ctx.db, memberId);
}
