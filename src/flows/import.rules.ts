// The CSV formats `patron import` reads (PL-11), as pure functions: which format a header names, and what one row
// (members) or one group of rows (an order's lines) means, or why it is refused. docs/OPERATIONS.md documents the formats.

export const importKinds = ['members', 'orders'] as const;
export type ImportKind = (typeof importKinds)[number];

export const memberFormats = ['patron', 'smile'] as const;
export type MemberFormat = (typeof memberFormats)[number];

/** A row refused before anything is written, with a reason an operator can act on. */
export class RowError extends Error {}

/** Patron's own members format: snake_case headers, dates as YYYY-MM-DD (docs/OPERATIONS.md). */
const patronMemberColumns = ['email', 'first_name', 'last_name', 'country', 'date_of_birth', 'credits', 'credits_expire_on'] as const;
/**
 * Smile.io's customer export (the columns we rely on; others, such as "Customer ID", "Membership Status" or
 * "VIP Tier", are ignored). One point is taken as one credit.
 */
const smileColumns = { email: 'email', firstName: 'first name', lastName: 'last name', points: 'points balance', dateOfBirth: 'date of birth', expiry: 'points expiry', country: 'country' } as const;

const patronOrderColumns = ['order_id', 'email', 'purchased_at', 'currency', 'total', 'item_name', 'item_sku', 'quantity', 'unit_price', 'serial_number'] as const;

export interface MemberRow {
  email: string;
  firstName: string | null;
  lastName: string | null;
  country: string;
  dateOfBirth: string;
  credits: number;
  /** Null: the policy's standard lifetime from the import. */
  expiresAtMs: number | null;
}

export interface OrderItemRow {
  name: string;
  sku?: string;
  quantity: number;
  unitPriceMinor?: number;
  serialNumber?: string;
}

export interface OrderRow {
  orderId: string;
  email: string;
  purchasedAt: string;
  currency: string;
  totalMinor: number;
  items: OrderItemRow[];
}

/** A header mapped to column positions; `format` says which layout it is. */
export interface Header<F extends string> {
  format: F;
  index: Record<string, number>;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

function indexOf(fields: string[]): Record<string, number> {
  const index: Record<string, number> = {};
  fields.forEach((name, position) => {
    const key = normalizeName(name);
    if (key in index) throw new RowError(`the column "${name.trim()}" appears twice`);
    index[key] = position;
  });
  return index;
}

/** Recognises a members file by its header: Smile.io's export (a "Points Balance" column) or Patron's own. */
export function memberHeader(fields: string[]): Header<MemberFormat> {
  const index = indexOf(fields);
  if (smileColumns.points in index) {
    if (!(smileColumns.email in index)) throw new RowError('the Smile.io export has no "Email" column');
    return { format: 'smile', index };
  }
  const unknown = Object.keys(index).filter((name) => !(patronMemberColumns as readonly string[]).includes(name));
  if (unknown.length > 0) throw new RowError(`unknown column(s) ${unknown.map((name) => `"${name}"`).join(', ')}; Patron's format has ${patronMemberColumns.join(', ')} (docs/OPERATIONS.md)`);
  if (!('email' in index)) throw new RowError('the file has no "email" column');
  return { format: 'patron', index };
}

export function orderHeader(fields: string[]): Header<'patron'> {
  const index = indexOf(fields);
  const unknown = Object.keys(index).filter((name) => !(patronOrderColumns as readonly string[]).includes(name));
  if (unknown.length > 0) throw new RowError(`unknown column(s) ${unknown.map((name) => `"${name}"`).join(', ')}; the orders format has ${patronOrderColumns.join(', ')} (docs/OPERATIONS.md)`);
  for (const required of ['order_id', 'purchased_at', 'total', 'item_name']) {
    if (!(required in index)) throw new RowError(`the file has no "${required}" column`);
  }
  return { format: 'patron', index };
}

function cell(header: Header<string>, fields: string[], column: string): string {
  const position = header.index[column];
  return position === undefined ? '' : (fields[position] ?? '').trim();
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function email(value: string): string {
  if (!value) throw new RowError('the email is empty');
  if (value.length > 254 || !emailPattern.test(value)) throw new RowError(`"${value.slice(0, 60)}" is not an email address`);
  return value;
}

function whole(value: string, what: string): number {
  if (value === '') return 0;
  const normalized = value.replace(/,/g, '');
  if (!/^-?\d+(\.0+)?$/.test(normalized)) throw new RowError(`${what} "${value.slice(0, 30)}" is not a whole number`);
  const number = Number.parseInt(normalized, 10);
  if (number < 0) throw new RowError(`${what} is negative (${number}); a debt cannot be migrated`);
  if (number > 100_000_000) throw new RowError(`${what} ${number} is larger than 100,000,000`);
  return number;
}

/** YYYY-MM-DD, a full ISO timestamp, or (Smile.io's US exports) MM/DD/YYYY; returned as YYYY-MM-DD. */
export function calendarDate(value: string, what: string, allowUsDate: boolean): string {
  let date = value;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (us && allowUsDate) date = `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
  else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) date = value.slice(0, 10);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RowError(`${what} "${value.slice(0, 30)}" is not a date (YYYY-MM-DD)`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RowError(`${what} "${value}" is not a calendar date`);
  return date;
}

/** The end of the given day in UTC: points "expiring on" a date can still be used on that date. */
function endOfDayMs(date: string): number {
  return Date.parse(`${date}T23:59:59.999Z`);
}

/** One members row in the header's format, or a RowError saying what is wrong with it. */
export function parseMemberRow(header: Header<MemberFormat>, fields: string[], defaults: { country: string | null }): MemberRow {
  const smile = header.format === 'smile';
  const get = (patron: string, smileName: string) => cell(header, fields, smile ? smileName : patron);
  const country = (get('country', smileColumns.country) || defaults.country || '').toUpperCase();
  if (!country) throw new RowError('no country: add a country column or pass --country XX');
  if (!/^[A-Z]{2}$/.test(country)) throw new RowError(`country "${country.slice(0, 20)}" is not a two-letter ISO code`);
  const dob = get('date_of_birth', smileColumns.dateOfBirth);
  if (!dob) throw new RowError('no date of birth: Patron needs it to check the minimum age (AC-2)');
  const expiry = get('credits_expire_on', smileColumns.expiry);
  const firstName = get('first_name', smileColumns.firstName).slice(0, 100) || null;
  const lastName = get('last_name', smileColumns.lastName).slice(0, 100) || null;
  return {
    email: email(get('email', smileColumns.email)),
    firstName,
    lastName,
    country,
    dateOfBirth: calendarDate(dob, 'date of birth', smile),
    credits: whole(get('credits', smileColumns.points), smile ? 'points balance' : 'credits'),
    expiresAtMs: expiry ? endOfDayMs(calendarDate(expiry, smile ? 'points expiry' : 'credits_expire_on', smile)) : null,
  };
}

/** Money in major units ("12.50") to minor units (all import currencies have two decimals). */
function minor(value: string, what: string): number {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(value.replace(/,/g, ''));
  if (!match) throw new RowError(`${what} "${value.slice(0, 30)}" is not an amount such as 12.50`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** The order a group of adjacent rows with one order_id describes (one row per order line). */
export function parseOrderRows(header: Header<'patron'>, rows: string[][]): OrderRow {
  const first = rows[0]!;
  const get = (fields: string[], column: string) => cell(header, fields, column);
  const orderId = get(first, 'order_id');
  if (!orderId || orderId.length > 64) throw new RowError('order_id must be 1 to 64 characters');
  if (rows.length > 100) throw new RowError('an order has at most 100 lines');
  const purchasedAt = get(first, 'purchased_at');
  const purchasedMs = /^\d{4}-\d{2}-\d{2}$/.test(purchasedAt) ? Date.parse(`${purchasedAt}T00:00:00Z`) : Date.parse(purchasedAt);
  if (!/^\d{4}-\d{2}-\d{2}/.test(purchasedAt) || Number.isNaN(purchasedMs)) throw new RowError(`purchased_at "${purchasedAt.slice(0, 40)}" is not an ISO date or timestamp`);
  const currency = (get(first, 'currency') || 'USD').toUpperCase();
  const items = rows.map((fields, position): OrderItemRow => {
    const name = get(fields, 'item_name');
    if (!name) throw new RowError(`line ${position + 1} of the order has no item_name`);
    for (const column of ['email', 'purchased_at', 'currency', 'total']) {
      if (position > 0 && get(fields, column) && get(fields, column) !== get(first, column)) throw new RowError(`the order's lines disagree on ${column}`);
    }
    const quantityText = get(fields, 'quantity') || '1';
    if (!/^\d{1,3}$/.test(quantityText) || Number(quantityText) < 1) throw new RowError(`quantity "${quantityText.slice(0, 10)}" is not a whole number from 1 to 999`);
    const sku = get(fields, 'item_sku');
    const unitPrice = get(fields, 'unit_price');
    const serialNumber = get(fields, 'serial_number');
    return {
      name: name.slice(0, 200),
      quantity: Number(quantityText),
      ...(sku ? { sku } : {}),
      ...(unitPrice ? { unitPriceMinor: minor(unitPrice, 'unit_price') } : {}),
      ...(serialNumber ? { serialNumber } : {}),
    };
  });
  const customer = get(first, 'email');
  return {
    orderId,
    email: customer ? email(customer) : '',
    purchasedAt: new Date(purchasedMs).toISOString(),
    currency,
    totalMinor: minor(get(first, 'total'), 'total'),
    items,
  };
}

/** The order_id of a row, for grouping adjacent rows (before the group is parsed). */
export function orderIdOf(header: Header<'patron'>, fields: string[]): string {
  return cell(header, fields, 'order_id');
}
