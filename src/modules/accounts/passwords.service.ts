// argon2id password hashing (AC-3). Hashing runs before a transaction opens: it is CPU work, not database work.
import { hash, verify } from '@node-rs/argon2';
import { assertPasswordAcceptable, normalizePassword } from './password.rules.ts';

/**
 * OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 20 ms here, slow enough for guessing and cheap
 * enough that sign-in stays responsive. @node-rs/argon2 defaults to argon2id; the parameters are written out
 * so a change of library defaults cannot silently weaken them.
 */
const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

declare const acceptedPassword: unique symbol;
/** A hash of a password that passed the policy: only hashNewPassword makes one. */
export type NewPasswordHash = string & { readonly [acceptedPassword]: true };

export async function hashNewPassword(password: string, context: { email?: string } = {}): Promise<NewPasswordHash> {
  assertPasswordAcceptable(password, context);
  return (await hash(normalizePassword(password), argon2Options)) as NewPasswordHash;
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalizePassword(password));
  } catch {
    // A malformed stored hash is treated as a mismatch: the member resets their password; nothing else breaks.
    return false;
  }
}

/** Computed once at start-up, so even the first unknown-email sign-in takes no longer than the others. */
const dummyHash: Promise<string> = hash('patron-dummy-password-for-timing', argon2Options);

/**
 * For an unknown email, a sign-in still verifies a password against a real argon2id hash with the same
 * parameters, so both answers take the same time and timing does not reveal which emails exist (AC-4).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await dummyHash, password);
  return false;
}
