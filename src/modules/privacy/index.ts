// The privacy module's public face (PV-1..PV-34, AC-10): rights requests with their deadlines and verification,
// access and portability exports, erasure, restriction and rectification, retention. It executes the personal-data
// map every module declares, which reaches it as `ctx.ports.personalData` from the composition root.
import type { PersonalDataMap } from '../../db/personal-data.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { closurePersonalData } from './closure.data-map.ts';
import { registerClosureRoutes } from './closure.routes.ts';
import { accountClosedEmail } from './emails/account-closed.ts';

/** The personal-data columns of this module's own tables (PV-16; docs/PERSONAL-DATA.md). */
export const personalData: PersonalDataMap = [...closurePersonalData];

export const registerRoutes: RegisterRoutes = (app, deps) => {
  registerClosureRoutes(app, deps);
};

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [accountClosedEmail];

// Restriction (PV-20), account closure records (AC-10) and the closure email, for the flows layer and later modules.
export { isRestricted, excludeRestricted, setRestriction, getRestriction, getRestrictionHistory, type Restriction, type RestrictionEvent, type SetRestrictionInput, type RestrictionActor } from './restriction.service.ts';
export { restrictionReasons, type RestrictionReason } from './closure.table.ts';
export { recordClosure, findClosureOfMember, type ClosureRecord } from './closure.service.ts';
export { accountClosedEmail };
export { closeAccountBody, agentCloseAccountBody, closureView, toClosureView, tags as privacyTags } from './closure.schemas.ts';
