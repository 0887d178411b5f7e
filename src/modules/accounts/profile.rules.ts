// Profile fields (AC-1, AC-8): one normal form for emails, phones and languages, and what a complete profile is.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '../../platform/errors.ts';

/** Emails are unique ignoring case and surrounding spaces (AC-1): this is the form we store and compare. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Parses a phone number as typed, with the member's country as the region for numbers written without a
 * country code, and returns it in E.164 (AC-8). The full metadata validates the number plan, not only its length.
 */
export function normalizePhone(phone: string, defaultCountry: string | null): string {
  const region = defaultCountry && isSupportedCountry(defaultCountry) ? defaultCountry : undefined;
  const parsed = parsePhoneNumberFromString(phone, region ? { defaultCountry: region } : {});
  if (!parsed || !parsed.isValid()) {
    const hint = region ? ` Numbers outside ${region} need their country code, like +44 20 7946 0958.` : ' Include the country code, like +1 415 555 0100.';
    throw new AppError('validation', `This phone number is not valid.${hint}`, [{ path: 'phone', message: 'not a valid phone number' }]);
  }
  return parsed.number;
}

/** A BCP 47 language tag in its canonical form (`en-us` becomes `en-US`). */
export function normalizeLanguage(language: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(language);
    if (canonical) return canonical;
  } catch {
    // Falls through to the coded error below: Intl throws a RangeError for a malformed tag.
  }
  throw new AppError('validation', 'Language must be a language tag like en, fr or pt-BR.', [{ path: 'language', message: 'not a language tag' }]);
}

export interface ProfileCompleteness {
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  dateOfBirth: string | null;
}

/** A complete profile (first and last name, phone, date of birth) earns the one-time profile bonus. */
export function isProfileComplete(profile: ProfileCompleteness): boolean {
  return Boolean(profile.firstName && profile.lastName && profile.phone && profile.dateOfBirth);
}
