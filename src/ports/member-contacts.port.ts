// The member contacts port: where to write to a member and how to greet them, for modules below accounts in the
// dependency order (credits, notifications) that send mail but may not import accounts. Accounts provides it.
import type { Executor } from '../db/database.ts';

export interface MemberContact {
  email: string;
  firstName: string | null;
}

export interface MemberContacts {
  /** The contact of an open member read through `db` (the caller's transaction); undefined when closed or erased. */
  contactOf(db: Executor, memberId: string): Promise<MemberContact | undefined>;
}
