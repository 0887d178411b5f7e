// The shipping promise (ST-5): the date an order ships, from the moment it was placed, in the warehouse's time zone.
//
// The rule: an order by a signed-in member placed before the cut-off (13:00 America/Los_Angeles) on a business day
// ships that day; every other order ships on the next business day. Business days are Monday to Friday except US
// federal holidays (5 U.S.C. 6103), on the dates they are observed: a holiday on a Saturday is observed the Friday
// before, one on a Sunday the Monday after (so New Year's Day on a Saturday is observed on 31 December of the year
// before). The local date and time of an instant come from Intl with an explicit instant, so daylight-saving changes
// need no special casing; all date arithmetic afterwards is on calendar dates, where a day is always a day.

import { memoize } from '../../platform/memo.ts';

export const warehouseTimeZone = 'America/Los_Angeles';
export const defaultCutOffMinutes = 13 * 60;

/** A calendar date: `{ year: 2026, month: 11, day: 27 }` (month 1-12). */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export interface ShippingPromiseInput {
  placedAtMs: number;
  /** Guests never get same-day shipping (ST-5). */
  signedIn: boolean;
  timeZone?: string;
  /** Minutes after local midnight; an order strictly before it counts as same day. */
  cutOffMinutes?: number;
}

export interface ShippingPromise {
  /** `YYYY-MM-DD` in the warehouse's time zone. */
  shipByDate: string;
  sameDay: boolean;
}

const formatterFor = memoize(
  (timeZone: string): Intl.DateTimeFormat =>
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }),
);

/** The wall-clock date and minute-of-day of an instant in a time zone. */
export function localDateTime(atMs: number, timeZone: string): { date: CalendarDate; minutes: number } {
  const parts = formatterFor(timeZone).formatToParts(new Date(atMs));
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { date: { year: value('year'), month: value('month'), day: value('day') }, minutes: value('hour') * 60 + value('minute') };
}

/** Day number since 1970-01-01 of a calendar date (proleptic Gregorian); pure arithmetic, no time zone involved. */
function dayNumber(date: CalendarDate): number {
  return Date.UTC(date.year, date.month - 1, date.day) / 86_400_000;
}

function fromDayNumber(days: number): CalendarDate {
  const d = new Date(days * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: CalendarDate): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday.
}

export function formatDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function parseDate(text: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a YYYY-MM-DD date`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** The n-th (1-based) given weekday of a month, or the last one when n is -1. */
function nthWeekday(year: number, month: number, weekdayWanted: number, n: number): CalendarDate {
  if (n > 0) {
    const first = { year, month, day: 1 };
    const offset = (weekdayWanted - weekday(first) + 7) % 7;
    return { year, month, day: 1 + offset + (n - 1) * 7 };
  }
  const last = addDays({ year: month === 12 ? year + 1 : year, month: month === 12 ? 1 : month + 1, day: 1 }, -1);
  const back = (weekday(last) - weekdayWanted + 7) % 7;
  return { year, month, day: last.day - back };
}

/** The date a fixed-date holiday is observed on: Saturday → Friday before, Sunday → Monday after. */
function observed(date: CalendarDate): CalendarDate {
  const day = weekday(date);
  if (day === 6) return addDays(date, -1);
  if (day === 0) return addDays(date, 1);
  return date;
}

export interface Holiday {
  name: string;
  /** The date it falls on. */
  date: CalendarDate;
  /** The business day taken off for it. */
  observedDate: CalendarDate;
}

/** The US federal holidays of a year (5 U.S.C. 6103), each with its observed date. */
export function usFederalHolidays(year: number): Holiday[] {
  const fixed = (name: string, month: number, day: number): Holiday => {
    const date = { year, month, day };
    return { name, date, observedDate: observed(date) };
  };
  const floating = (name: string, month: number, weekdayWanted: number, n: number): Holiday => {
    const date = nthWeekday(year, month, weekdayWanted, n);
    return { name, date, observedDate: date };
  };
  const holidays: Holiday[] = [
    fixed("New Year's Day", 1, 1),
    floating('Birthday of Martin Luther King, Jr.', 1, 1, 3),
    floating("Washington's Birthday", 2, 1, 3),
    floating('Memorial Day', 5, 1, -1),
    fixed('Independence Day', 7, 4),
    floating('Labor Day', 9, 1, 1),
    floating('Columbus Day', 10, 1, 2),
    fixed('Veterans Day', 11, 11),
    floating('Thanksgiving Day', 11, 4, 4),
    fixed('Christmas Day', 12, 25),
  ];
  // Juneteenth National Independence Day became a federal holiday in 2021.
  if (year >= 2021) holidays.splice(4, 0, fixed('Juneteenth National Independence Day', 6, 19));
  return holidays;
}

/** Observed holiday dates that fall within a calendar year: includes next year's New Year's Day observed on 31 December. */
const observedHolidayDates = memoize((year: number): ReadonlySet<string> => {
  const dates = new Set<string>();
  for (const holiday of [...usFederalHolidays(year), ...usFederalHolidays(year + 1), ...usFederalHolidays(year - 1)]) {
    if (holiday.observedDate.year === year) dates.add(formatDate(holiday.observedDate));
  }
  return dates;
});

export function isBusinessDay(date: CalendarDate): boolean {
  const day = weekday(date);
  if (day === 0 || day === 6) return false;
  return !observedHolidayDates(date.year).has(formatDate(date));
}

export function nextBusinessDay(date: CalendarDate): CalendarDate {
  let candidate = addDays(date, 1);
  // At most a weekend plus a holiday or two separate business days; the bound guards against a broken calendar.
  for (let i = 0; i < 14 && !isBusinessDay(candidate); i++) candidate = addDays(candidate, 1);
  return candidate;
}

export function shippingPromise(input: ShippingPromiseInput): ShippingPromise {
  const timeZone = input.timeZone ?? warehouseTimeZone;
  const cutOff = input.cutOffMinutes ?? defaultCutOffMinutes;
  const local = localDateTime(input.placedAtMs, timeZone);
  const sameDay = input.signedIn && isBusinessDay(local.date) && local.minutes < cutOff;
  return { shipByDate: formatDate(sameDay ? local.date : nextBusinessDay(local.date)), sameDay };
}

/**
 * Next-day delivery (a Plus voucher, MB-8): the order still ships on its ship-by date (ST-5), by a carrier service
 * that delivers on the next business day after it ships (what "next day" means for UPS Next Day Air or FedEx
 * Priority Overnight, which do not deliver on weekends and federal holidays).
 */
export function nextDayDeliveryDate(shipByDate: string): string {
  return formatDate(nextBusinessDay(parseDate(shipByDate)));
}
