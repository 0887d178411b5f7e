// The deadline engine of rights requests (PV-6..PV-10) as pure date rules. Dates are calendar dates (`YYYY-MM-DD`)
// in UTC: a request received at 2025-02-07T23:30Z is received on 2025-02-07 wherever the subject lives. One time zone
// for every regime keeps the queue's "days left" the same for every agent and keeps the answer on the safe side of
// any US or European time zone by at most a day; the due date is the last calendar day on which the answer is in
// time (due through 23:59:59.999 UTC of that day).
import { assert } from '../../platform/assert.ts';
import { addCalendarMonths } from '../../platform/calendar.ts';
import { isBusinessDay } from '../store/index.ts';
import type { Regime, RequestType } from './requests.rules.ts';

const dayMs = 86_400_000;

/** PV-6: acknowledge within 10 business days (US federal holidays skipped, as observed). */
export const acknowledgeBusinessDays = 10;
/** PV-7: US states answer in 45 calendar days, with one extension of 45 more. */
export const usResponseDays = 45;
export const usExtensionDays = 45;
export const usMaxExtensions = 1;
/** PV-8: GDPR and UK answer in one calendar month, extended by at most two more in total. */
export const gdprResponseMonths = 1;
export const gdprMaxExtensionMonths = 2;
/** PV-10: complaints are answered in 30 days, without extension. */
export const complaintResponseDays = 30;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

function parts(date: string): DateParts {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  assert(match !== null, `${date} is a YYYY-MM-DD date`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

function startMsOf(date: string): number {
  const p = parts(date);
  return Date.UTC(p.year, p.month - 1, p.day);
}

function format(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC calendar date of an instant. */
export function calendarDateOf(atMs: number): string {
  return format(atMs);
}

export function addDays(date: string, days: number): string {
  return format(startMsOf(date) + days * dayMs);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((startMsOf(to) - startMsOf(from)) / dayMs);
}

/** The last instant of a due date (UTC): the answer is in time through it. */
export function endOfDateMs(date: string): number {
  return startMsOf(date) + dayMs - 1;
}

/** The n-th business day after `date` (the day itself never counts): 2025-02-07 + 10 → 2025-02-24 (PV-6). */
export function addBusinessDays(date: string, businessDays: number): string {
  assert(Number.isSafeInteger(businessDays) && businessDays >= 0, 'business days is a whole number');
  let current = date;
  let counted = 0;
  // A bound well above any count: 10 business days never span more than a few weeks.
  for (let i = 0; counted < businessDays && i < businessDays * 3 + 30; i++) {
    current = addDays(current, 1);
    if (isBusinessDay(parts(current))) counted++;
  }
  assert(counted === businessDays, 'business-day count reached');
  return current;
}

/** One or more calendar months after `date`, clamped to the month's end (2025-01-31 + 1 → 2025-02-28, PV-8). */
export function addMonthsClamped(date: string, months: number): string {
  return format(addCalendarMonths(startMsOf(date), months));
}

/** PV-6: the acknowledgement's due date. */
export function acknowledgementDueDate(receivedDate: string): string {
  return addBusinessDays(receivedDate, acknowledgeBusinessDays);
}

/**
 * The answer's first due date (PV-7, PV-8, PV-10), counted from the receipt and never paused by verification.
 * Complaints are 30 days whatever the regime.
 */
export function responseDueDate(input: { regime: Regime; type: RequestType; receivedDate: string }): string {
  if (input.type === 'complaint') return addDays(input.receivedDate, complaintResponseDays);
  switch (input.regime) {
    case 'us_state':
      return addDays(input.receivedDate, usResponseDays);
    case 'gdpr':
    case 'uk':
    case 'other':
      return addMonthsClamped(input.receivedDate, gdprResponseMonths);
  }
}

export interface ExtensionInput {
  regime: Regime;
  type: RequestType;
  receivedDate: string;
  dueDate: string;
  /** Extensions already granted (US: count; GDPR/UK: months already added). */
  extensionsSoFar: number;
  extendedMonthsSoFar: number;
  /** GDPR/UK: how many months to add (1 or 2, within the cap); ignored for US. */
  months?: number;
  today: string;
}

export type ExtensionOutcome = { ok: true; dueDate: string; months: number } | { ok: false; reason: 'past_due' | 'not_extendable' | 'cap_reached' | 'over_cap' };

/**
 * PV-9: an extension must come on or before the due date and stay within the regime's cap. US: one extension of 45
 * days from the current due date (2025-03-17 → 2025-05-01); a second is refused. GDPR/UK: up to two months in total,
 * counted from the receipt so the month-end clamp applies once (2025-03-15 → 2025-04-15 → at most 2025-06-15;
 * 2025-01-31 → 2025-02-28 → at most 2025-04-30). Complaints are not extended.
 */
export function extendDueDate(input: ExtensionInput): ExtensionOutcome {
  if (input.type === 'complaint') return { ok: false, reason: 'not_extendable' };
  if (daysBetween(input.dueDate, input.today) > 0) return { ok: false, reason: 'past_due' };
  switch (input.regime) {
    case 'us_state':
      if (input.extensionsSoFar >= usMaxExtensions) return { ok: false, reason: 'cap_reached' };
      return { ok: true, dueDate: addDays(input.dueDate, usExtensionDays), months: 0 };
    case 'gdpr':
    case 'uk':
    case 'other': {
      const left = gdprMaxExtensionMonths - input.extendedMonthsSoFar;
      if (left <= 0) return { ok: false, reason: 'cap_reached' };
      const months = input.months ?? left;
      if (!Number.isSafeInteger(months) || months < 1 || months > left) return { ok: false, reason: 'over_cap' };
      return { ok: true, dueDate: addMonthsClamped(input.receivedDate, gdprResponseMonths + input.extendedMonthsSoFar + months), months };
    }
  }
}

/** An appeal's answer is due like a new request of the regime, counted from the day the appeal came in. */
export function appealDueDate(regime: Regime, appealedDate: string): string {
  return responseDueDate({ regime, type: 'appeal', receivedDate: appealedDate });
}

export type DueFlag = 'overdue' | 'due_in_2' | 'due_in_7';

/** PV-10: days left to the due date (negative when overdue) and the queue's flag: ≤ 7 days, ≤ 2 days, overdue. */
export function dueStatus(dueDate: string, today: string): { daysLeft: number; flag: DueFlag | null } {
  const daysLeft = daysBetween(today, dueDate);
  const flag: DueFlag | null = daysLeft < 0 ? 'overdue' : daysLeft <= 2 ? 'due_in_2' : daysLeft <= 7 ? 'due_in_7' : null;
  return { daysLeft, flag };
}
