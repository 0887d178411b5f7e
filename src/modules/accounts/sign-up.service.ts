// Sign-up (AC-1, AC-2, AC-3): one function the caller runs in one transaction, so a later step (the credits
// module's sign-up bonus) commits or rolls back with the new member.
import { queueEmail } from '../notifications/index.ts';
import { createMemberRecord } from './members.service.ts';
import type { KeyedCtx } from './closure.service.ts';
import type { Member } from './members.repository.ts';
import type { NewPasswordHash } from './passwords.service.ts';
import { startSession, type NewSession } from './sessions.service.ts';
import { sendVerificationEmail } from './email-links.service.ts';
import { welcomeEmail } from './emails/welcome.ts';

export interface SignUpInput {
  email: string;
  /**
   * From hashNewPassword(password, { email }), called before the transaction opens: hashing is slow CPU work.
   * Null for a sign-up through an OpenID Connect provider, whose members sign in there.
   */
  passwordHash: NewPasswordHash | null;
  country: string;
  dateOfBirth: string;
  language?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** True when a provider vouched for the address; no verify-email message is sent then. */
  emailVerified?: boolean;
  userAgent?: string | undefined;
  /** The browser's device cookie: its cookie choices join the new account (PV-23). */
  deviceId?: string | null | undefined;
  /** Where links in emails point (config.http.publicUrl). */
  publicUrl: string;
}

export interface SignUpResult {
  member: Member;
  /** Sign-up signs the person in. */
  session: NewSession;
}

/**
 * The one way a person joins the program, with a password or through an OpenID Connect provider: callers that
 * add to a sign-up (a bonus) wrap this function in their transaction. Creates the member (eligibility and unique email checked), signs them in, and queues the verify-email and
 * welcome messages. A taken email is refused with 409 already_exists: the sign-up form says so plainly rather
 * than pretending to succeed, which is the usual trade-off for a store (the password reset form stays silent).
 */
export async function signUp(ctx: KeyedCtx, input: SignUpInput): Promise<SignUpResult> {
  const member = await createMemberRecord(ctx, {
    email: input.email,
    role: 'member',
    passwordHash: input.passwordHash,
    country: input.country,
    dateOfBirth: input.dateOfBirth,
    language: input.language ?? null,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    emailVerified: input.emailVerified ?? false,
  });
  const session = await startSession(ctx, { memberId: member.id, role: member.role, userAgent: input.userAgent, deviceId: input.deviceId });
  if (member.emailVerifiedAtMs === null) await sendVerificationEmail(ctx, { member, publicUrl: input.publicUrl });
  const greeting = member.firstName ? { firstName: member.firstName } : {};
  await queueEmail(ctx, { memberId: member.id, to: member.email, template: welcomeEmail, data: greeting, dedupeKey: `welcome:${member.id}` });
  return { member, session };
}
