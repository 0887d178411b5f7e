// The member contacts port: the member facts that modules below accounts in the dependency order (credits,
// notifications) need but may not import accounts for: where to write to a member, how to greet them, and whether
// an ID is a program member at all. Accounts provides it.
import type { Executor } from '../db/database.ts';

export interface MemberContact {
  email: string;
  firstName: string | null;
}

/** A program member's account state; staff users and unknown IDs are no program member at all. */
export type MemberStatus = 'active' | 'closed';

export interface MemberContacts {
  /** The contact of an open member read through `db` (the caller's transaction); undefined when closed or erased. */
  contactOf(db: Executor, memberId: string): Promise<MemberContact | undefined>;
  /**
   * Whether `memberId` is a program member, read through `db`: its status, or undefined for an ID that names nobody
   * or a staff user. Staff writes that take a member ID check it first, so the ledger only holds real members.
   */
  memberStatus(db: Executor, memberId: string): Promise<MemberStatus | undefined>;
}
