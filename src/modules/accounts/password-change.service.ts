// Changing a known password from the account page (AC-3, AC-4): the current password is checked, and every
// other session ends.
import { transact, type Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { findCredentials, findMemberById, updateCredentials } from './members.repository.ts';
import { hashNewPassword, verifyPassword } from './passwords.service.ts';
import { endAllSessions } from './sessions.service.ts';

export async function changePassword(ctx: Ctx, input: { memberId: string; currentPassword: string; newPassword: string; keepSessionId: string }): Promise<{ sessionsEnded: number }> {
  const member = await findMemberById(ctx.db, input.memberId);
  const credentials = await findCredentials(ctx.db, input.memberId);
  if (!member || !credentials) throw new AppError('not_found', 'Account was not found.');
  if (!credentials.passwordHash) {
    throw new AppError('invalid_state', 'Your account has no password yet: you sign in with a provider. Use "Forgot password" to set one.');
  }
  if (!(await verifyPassword(credentials.passwordHash, input.currentPassword))) {
    throw new AppError('invalid_credentials', 'Your current password is not correct.');
  }
  const passwordHash = await hashNewPassword(input.newPassword, { email: member.email });
  return transact(ctx, async (trx) => {
    await updateCredentials(trx.db, input.memberId, { password_hash: passwordHash, password_changed_at_ms: trx.clock.nowMs() });
    return { sessionsEnded: await endAllSessions(trx, { memberId: input.memberId, exceptSessionId: input.keepSessionId }) };
  });
}
