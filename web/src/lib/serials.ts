// Serial numbers as the server reads them (AS-2, src/modules/aftersales/serials.rules.ts): the form previews the
// normalized serial while it is typed, and the console checks what an agent enters before sending it.

/** Trimmed, upper case, a copied "SN:" label dropped. */
export function normalizeSerial(input: string): string {
  return input
    .trim()
    .replace(/^sn\s*:\s*/i, '')
    .toUpperCase();
}

/** `A` and 7 letters or digits, once normalized. */
export const isValidSerial = (serial: string) => /^A[A-Z0-9]{7}$/.test(serial);
