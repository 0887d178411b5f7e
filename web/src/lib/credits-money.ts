// What credits pay at checkout, by the server's rule (CR-12): floor(credits × 100 / rate), with the server's own
// integer helper, so the UI never shows a cent more than the order will take off (test/platform/money.test.ts
// checks it against the credits module's creditsToMinor).
import { mulDivFloor } from '../../../src/platform/money.ts';

/** Cents per dollar of the program currency (USD), as the credits module's minorPerMajorUnit. */
const minorPerMajorUnit = 100;

/** What `credits` are worth in cents at the program's spend rate (credits per dollar), rounded down like the server. */
export function creditsValueMinor(credits: number, spendCreditsPerMajorUnit: number): number {
  return mulDivFloor(credits, minorPerMajorUnit, spendCreditsPerMajorUnit);
}
