// Who may join (AC-2): ISO countries, the minimum age per country, and age on calendar dates (leap days included).
import { AppError } from '../../platform/errors.ts';

/** ISO 3166-1 alpha-2, officially assigned codes, plus XK (Kosovo), the user-assigned code the EU and most registries use. */
export const countryCodes = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
  'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ',
  'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ',
  'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR',
  'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY',
  'HK', 'HM', 'HN', 'HR', 'HT', 'HU', 'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM', 'JO', 'JP',
  'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY',
  'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ',
  'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM',
  'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW',
  'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ',
  'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ',
  'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU', 'WF', 'WS', 'XK', 'YE', 'YT', 'ZA', 'ZM', 'ZW',
] as const;
export type CountryCode = (typeof countryCodes)[number];

const countrySet: ReadonlySet<string> = new Set(countryCodes);

export function isCountryCode(value: string): value is CountryCode {
  return countrySet.has(value);
}

/** The 27 EU member states, plus the outermost regions and Åland that carry their own ISO codes but are EU territory. */
export const euCountries = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
  'AX', 'GF', 'GP', 'MQ', 'RE', 'YT', 'MF',
] as const satisfies readonly CountryCode[];
/** EEA members outside the EU. */
export const eeaNonEuCountries = ['IS', 'LI', 'NO'] as const satisfies readonly CountryCode[];
/** The United States and its inhabited territories, where US law (and so the US minimum) applies. */
export const usJurisdictions = ['US', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM'] as const satisfies readonly CountryCode[];

/** Anywhere without a rule below. */
export const defaultMinimumAgeYears = 16;

/**
 * The minimum age table (AC-2). A store overrides a country by adding or changing its line here; the table is
 * data so that the rule and its tests read the same thing.
 */
export const minimumAgeYearsByCountry: Readonly<Partial<Record<CountryCode, number>>> = Object.freeze({
  ...Object.fromEntries(usJurisdictions.map((c) => [c, 14])),
  ...Object.fromEntries(euCountries.map((c) => [c, 13])),
  ...Object.fromEntries(eeaNonEuCountries.map((c) => [c, 13])),
  GB: 13,
  CH: 13,
});

export function minimumAgeYears(country: string | null, overrides: Readonly<Partial<Record<CountryCode, number>>> = minimumAgeYearsByCountry): number {
  if (country === null || !isCountryCode(country)) return defaultMinimumAgeYears;
  return overrides[country] ?? defaultMinimumAgeYears;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses `YYYY-MM-DD` into a real calendar date, or undefined (2023-02-29 is not a date). */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export function formatCalendarDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/**
 * Today's date for age rules: the UTC calendar date of the clock's now. We do not know a member's time zone, so
 * UTC is the one calendar everybody shares; at most it moves a birthday by the hours between UTC and the
 * member's zone, which we accept over guessing a zone from the country (several countries span many).
 */
export function calendarDateOfMs(epochMs: number): CalendarDate {
  const date = new Date(epochMs);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/**
 * Whole years between a birth date and a later calendar date. Someone born on 29 February has their birthday on
 * 1 March in years without one (the day after 28 February, as the UK and most statutes count it), so they turn
 * a year older on 1 March, not on 28 February.
 */
export function ageInYears(birth: CalendarDate, today: CalendarDate): number {
  let age = today.year - birth.year;
  let birthdayMonth = birth.month;
  let birthdayDay = birth.day;
  if (birth.month === 2 && birth.day === 29 && !isLeapYear(today.year)) {
    birthdayMonth = 3;
    birthdayDay = 1;
  }
  if (today.month < birthdayMonth || (today.month === birthdayMonth && today.day < birthdayDay)) age--;
  return age;
}

export const oldestAgeYears = 130;

/**
 * Refuses a date of birth under the country's minimum age, in the future, or implausibly old (AC-2).
 * The message says what the limit is, so a person knows why, without echoing the date back.
 */
export function assertEligible(input: { country: string | null; dateOfBirth: string; nowMs: number }): void {
  const birth = parseCalendarDate(input.dateOfBirth);
  if (!birth) throw new AppError('validation', 'Date of birth must be a real date written as YYYY-MM-DD.', [{ path: 'dateOfBirth', message: 'not a calendar date' }]);
  const today = calendarDateOfMs(input.nowMs);
  const age = ageInYears(birth, today);
  if (age < 0 || formatCalendarDate(birth) > formatCalendarDate(today)) {
    throw new AppError('validation', 'Date of birth cannot be in the future.', [{ path: 'dateOfBirth', message: 'in the future' }]);
  }
  if (age > oldestAgeYears) {
    throw new AppError('validation', 'Please check the date of birth: it is more than 130 years ago.', [{ path: 'dateOfBirth', message: 'too long ago' }]);
  }
  const minimum = minimumAgeYears(input.country);
  if (age < minimum) {
    const where = input.country && isCountryCode(input.country) ? ` in ${input.country}` : '';
    throw new AppError('not_eligible', `You must be at least ${minimum} years old to join the rewards program${where}.`, { minimumAgeYears: minimum });
  }
}
