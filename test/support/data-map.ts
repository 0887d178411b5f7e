// The whole personal-data map, as the privacy module will read it: every module's declaration in one list. Until
// the composition root (src/modules.ts) lists the descriptors, this is the one place that collects them.
import type { PersonalDataMap } from '../../src/db/personal-data.ts';
import { platformPersonalData } from '../../src/db/platform.data-map.ts';
import { personalData as jobs } from '../../src/jobs/index.ts';
import { personalData as audit } from '../../src/modules/audit/index.ts';
import { personalData as notifications } from '../../src/modules/notifications/index.ts';
import { personalData as accounts } from '../../src/modules/accounts/index.ts';
import { personalData as credits } from '../../src/modules/credits/index.ts';
import { personalData as store } from '../../src/modules/store/index.ts';

/** Each owner's declaration, in the layer order (platform, jobs, audit, notifications, accounts, credits, store). */
export function personalDataByOwner(): ReadonlyArray<{ owner: string; map: PersonalDataMap }> {
  return [
    { owner: 'platform', map: platformPersonalData },
    { owner: 'jobs', map: jobs },
    { owner: 'audit', map: audit },
    { owner: 'notifications', map: notifications },
    { owner: 'accounts', map: accounts },
    { owner: 'credits', map: credits },
    { owner: 'store', map: store },
  ];
}

export function allPersonalData(): PersonalDataMap {
  return personalDataByOwner().flatMap(({ map }) => map);
}
