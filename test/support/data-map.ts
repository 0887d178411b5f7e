// The whole personal-data map, as the privacy module will read it: every module's declaration, from the composition
// root (src/modules.ts) in its order.
import type { PersonalDataMap } from '../../src/db/personal-data.ts';
import { modules } from '../../src/modules.ts';

/** Each owner's declaration, in the layer order of src/modules.ts. */
export function personalDataByOwner(): ReadonlyArray<{ owner: string; map: PersonalDataMap }> {
  return modules.map((module) => ({ owner: module.name, map: module.personalData ?? [] }));
}

export function allPersonalData(): PersonalDataMap {
  return personalDataByOwner().flatMap(({ map }) => map);
}
