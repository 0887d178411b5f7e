// A member's postal addresses (AC-8), numbered within the member: the key is (member_id, address_number).
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { AccountsTables, MemberAddressesTable } from './accounts.table.ts';

export interface Address {
  memberId: string;
  addressNumber: number;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export type AddressFields = Pick<Address, 'line1' | 'line2' | 'city' | 'region' | 'postalCode' | 'country'>;

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

function toAddress(row: MemberAddressesTable): Address {
  return {
    memberId: row.member_id,
    addressNumber: row.address_number,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postal_code,
    country: row.country,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export async function listAddresses(executor: Executor, memberId: string): Promise<Address[]> {
  const rows = await db(executor).selectFrom('member_addresses').selectAll().where('member_id', '=', memberId).orderBy('address_number').execute();
  return rows.map(toAddress);
}

export async function findAddress(executor: Executor, memberId: string, addressNumber: number): Promise<Address | undefined> {
  const row = await db(executor).selectFrom('member_addresses').selectAll().where('member_id', '=', memberId).where('address_number', '=', addressNumber).executeTakeFirst();
  return row ? toAddress(row) : undefined;
}

/** The next number for a member's address; the caller holds the member row lock, so two inserts cannot collide. */
export async function nextAddressNumber(executor: Executor, memberId: string): Promise<number> {
  const row = await db(executor)
    .selectFrom('member_addresses')
    .select((eb) => eb.fn.max<number | null>('address_number').as('highest'))
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(row?.highest ?? 0) + 1;
}

export async function insertAddress(executor: Executor, address: Address): Promise<void> {
  await db(executor)
    .insertInto('member_addresses')
    .values({
      member_id: address.memberId,
      address_number: address.addressNumber,
      line1: address.line1,
      line2: address.line2,
      city: address.city,
      region: address.region,
      postal_code: address.postalCode,
      country: address.country,
      created_at_ms: address.createdAtMs,
      updated_at_ms: address.updatedAtMs,
    })
    .execute();
}

export async function updateAddress(executor: Executor, memberId: string, addressNumber: number, fields: Partial<AddressFields>, nowMs: number): Promise<boolean> {
  const result = await db(executor)
    .updateTable('member_addresses')
    .set({
      ...(fields.line1 !== undefined ? { line1: fields.line1 } : {}),
      ...(fields.line2 !== undefined ? { line2: fields.line2 } : {}),
      ...(fields.city !== undefined ? { city: fields.city } : {}),
      ...(fields.region !== undefined ? { region: fields.region } : {}),
      ...(fields.postalCode !== undefined ? { postal_code: fields.postalCode } : {}),
      ...(fields.country !== undefined ? { country: fields.country } : {}),
      updated_at_ms: nowMs,
    })
    .where('member_id', '=', memberId)
    .where('address_number', '=', addressNumber)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteAddress(executor: Executor, memberId: string, addressNumber: number): Promise<boolean> {
  const result = await db(executor).deleteFrom('member_addresses').where('member_id', '=', memberId).where('address_number', '=', addressNumber).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
