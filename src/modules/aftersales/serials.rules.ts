// Serial numbers (AS-2): the one normal form, its shape, and the check against the serials recorded at shipment.
import { AppError } from '../../platform/errors.ts';

/** `A` and 7 letters or digits, upper case (the normal form). */
export const serialPattern = /^A[A-Z0-9]{7}$/;

export const serialMessage = 'Enter the serial number printed on the product after "SN:": the letter A followed by 7 letters or digits, like A1B2C3D4.';

/**
 * Trimmed and upper-cased. The product prints "SN: Axxxxxxx", so people copy the label: a leading "SN:" (any case,
 * spaces around the colon) is dropped. Without the colon "SN" is kept, because it could be part of what was typed.
 */
export function normalizeSerial(input: string): string {
  return input.trim().replace(/^sn\s*:\s*/i, '').toUpperCase();
}

/** Whether an already normalized serial has the shape of AS-2. */
export function isValidSerial(serial: string): boolean {
  return serialPattern.test(serial);
}

/** The form's reading of a serial: normalized, or a validation error the form shows next to the field. */
export function readSerial(input: string): string {
  const serial = normalizeSerial(input);
  if (!isValidSerial(serial)) throw new AppError('validation', serialMessage, { field: 'serial' });
  return serial;
}

export type SerialCheck = 'matches' | 'mismatch' | 'not_recorded';

/**
 * A claim's serial against what the store recorded for the order line. Only serial-numbered products get serials
 * entered at shipment, so no record (null or an empty list) says nothing either way.
 */
export function checkSerialAgainstShipment(serial: string, recordedSerials: readonly string[] | null): SerialCheck {
  if (recordedSerials === null || recordedSerials.length === 0) return 'not_recorded';
  const wanted = normalizeSerial(serial);
  return recordedSerials.some((recorded) => normalizeSerial(recorded) === wanted) ? 'matches' : 'mismatch';
}
