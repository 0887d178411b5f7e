// A member's postal addresses (AC-8): at most 20, each change audited by field name.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { deleteAddress, findAddress, insertAddress, listAddresses, nextAddressNumber, updateAddress, type Address, type AddressFields } from './addresses.repository.ts';
import { isCountryCode } from './eligibility.rules.ts';
import { findMemberById } from './members.repository.ts';
import type { Actor } from './profile.service.ts';
import { memberUpdate, recordPreviousValues, type ChangeReason } from './profile-history.service.ts';

const addressColumnOf = {
  line1: 'line1',
  line2: 'line2',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
} as const satisfies Record<keyof AddressFields, string>;

export const maxAddressesPerMember = 20;

const addressNotFound = () => new AppError('not_found', 'Address was not found.');

function assertAddressCountry(country: string | undefined): void {
  if (country !== undefined && !isCountryCode(country)) {
    throw new AppError('validation', 'Country must be a two-letter ISO country code such as US or FR.', [{ path: 'country', message: 'not a country code' }]);
  }
}

export async function getAddresses(ctx: Ctx, memberId: string): Promise<Address[]> {
  return listAddresses(ctx.db, memberId);
}

export async function getAddress(ctx: Ctx, memberId: string, addressNumber: number): Promise<Address> {
  const address = await findAddress(ctx.db, memberId, addressNumber);
  if (!address) throw addressNotFound();
  return address;
}

/** A saved address with the name its owner goes by, for modules that ship to it (the store's checkout, ST-2). */
export interface MemberAddress extends Address {
  /** The member's first and last name from their profile (or their preferred name); null when they gave none. */
  recipientName: string | null;
}

/**
 * One of the member's saved addresses, or undefined when they have no address with that ID: another member's
 * address is not found either (PL-15).
 */
export async function getMemberAddress(ctx: Ctx, memberId: string, addressId: number): Promise<MemberAddress | undefined> {
  if (!Number.isSafeInteger(addressId) || addressId < 1) return undefined;
  const address = await findAddress(ctx.db, memberId, addressId);
  if (!address) return undefined;
  const member = await findMemberById(ctx.db, memberId);
  const fullName = [member?.firstName, member?.lastName].filter((part): part is string => typeof part === 'string' && part.trim() !== '').join(' ');
  return { ...address, recipientName: fullName || member?.preferredName || null };
}

export async function addAddress(ctx: Ctx, input: { memberId: string; actor: Actor; fields: AddressFields }): Promise<Address> {
  assertAddressCountry(input.fields.country);
  // The member row lock serializes a member's address writes, so the next number is theirs alone.
  const member = await findMemberById(ctx.db, input.memberId, { lock: true });
  if (!member) throw new AppError('not_found', 'Account was not found.');
  const existing = await listAddresses(ctx.db, input.memberId);
  if (existing.length >= maxAddressesPerMember) throw new AppError('invalid_state', `You can keep up to ${maxAddressesPerMember} addresses. Remove one to add another.`);
  const nowMs = ctx.clock.nowMs();
  const address: Address = { memberId: input.memberId, addressNumber: await nextAddressNumber(ctx.db, input.memberId), ...input.fields, createdAtMs: nowMs, updatedAtMs: nowMs };
  await insertAddress(ctx.db, address);
  await recordAudit(ctx, { actor: input.actor, action: 'address.added', memberId: input.memberId, subject: `address:${address.addressNumber}` });
  return address;
}

export async function changeAddress(ctx: Ctx, input: { memberId: string; actor: Actor; addressNumber: number; fields: Partial<AddressFields>; reason?: ChangeReason }): Promise<Address> {
  assertAddressCountry(input.fields.country);
  const current = await getAddress(ctx, input.memberId, input.addressNumber);
  const changedFields = (Object.keys(input.fields) as (keyof AddressFields)[]).filter((field) => input.fields[field] !== undefined && input.fields[field] !== current[field]);
  if (changedFields.length === 0) return current;
  const nowMs = ctx.clock.nowMs();
  if (!(await updateAddress(ctx.db, input.memberId, input.addressNumber, input.fields, nowMs))) throw addressNotFound();
  // PV-21: the previous values of the changed fields are kept (who, when, why).
  const reason = input.reason ?? memberUpdate;
  await recordPreviousValues(ctx, { memberId: input.memberId, addressNumber: input.addressNumber, actor: input.actor, reason, previous: changedFields.map((field) => ({ field: addressColumnOf[field], value: current[field] })) });
  await recordAudit(ctx, {
    actor: input.actor,
    action: reason.code === 'rectification' ? 'address.rectified' : 'address.updated',
    memberId: input.memberId,
    subject: `address:${input.addressNumber}`,
    details: { fields: changedFields, ...(reason.requestId ? { requestId: reason.requestId } : {}) },
  });
  return getAddress(ctx, input.memberId, input.addressNumber);
}

export async function removeAddress(ctx: Ctx, input: { memberId: string; actor: Actor; addressNumber: number }): Promise<void> {
  if (!(await deleteAddress(ctx.db, input.memberId, input.addressNumber))) throw addressNotFound();
  await recordAudit(ctx, { actor: input.actor, action: 'address.removed', memberId: input.memberId, subject: `address:${input.addressNumber}` });
}
