// The platform tables' personal data (PV-16), kept in db/ because platform/ sits below db/ in the layer order.
// simulated_clock holds one time and nothing about anyone, so there is nothing to declare yet; platform tables that
// hold personal data (the HTTP idempotency records) declare it here.
import type { PersonalDataMap } from './personal-data.ts';

export const platformPersonalData: PersonalDataMap = [];
