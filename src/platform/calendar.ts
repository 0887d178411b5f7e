// Calendar-month arithmetic in UTC, shared by billing periods (membership) and warranty windows (after-sales).
import { assert } from './assert.ts';

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * `months` calendar months after `fromMs` in UTC at the same time of day, the day clamped to the month's end
 * (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February; 31 August + 18 months = 28 or
 * 29 February).
 */
export function addCalendarMonths(fromMs: number, months: number): number {
  assert(Number.isSafeInteger(months) && months >= 0, 'months is a whole number');
  const from = new Date(fromMs);
  const total = from.getUTCMonth() + months;
  const year = from.getUTCFullYear() + Math.floor(total / 12);
  const monthIndex = total % 12;
  const day = Math.min(from.getUTCDate(), daysInMonth(year, monthIndex));
  const timeOfDayMs = fromMs - Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  return Date.UTC(year, monthIndex, day) + timeOfDayMs;
}
