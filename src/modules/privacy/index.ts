// The privacy module's public face (PV-1..PV-34, AC-10): rights requests with their deadlines and verification,
// access and portability exports, erasure, restriction and rectification, retention. It executes the personal-data
// map every module declares, which reaches it as `ctx.ports.personalData` from the composition root.
import type { PersonalDataMap } from '../../db/personal-data.ts';

/** The personal-data columns of this module's own tables (PV-16; docs/PERSONAL-DATA.md). */
export const personalData: PersonalDataMap = [];
