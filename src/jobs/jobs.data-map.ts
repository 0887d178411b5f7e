// The job queue's personal data (PV-16). Payloads carry the IDs of the rows a job works on (member, lot, message,
// event, refund IDs) and numbers, never contact details or free text: each handler validates its payload with zod.
// Done jobs are deleted after 30 days (prune.jobs.ts); a member ID left in a failed job is pseudonymous once the
// member is erased.
import { declareTable, eraseByDelete, type PersonalDataMap } from '../db/personal-data.ts';

export const jobsPersonalData: PersonalDataMap = [
  ...declareTable('jobs', null, {
    payload: { category: 'identifier', purpose: 'Which rows a background job works on (IDs and numbers only).', retention: 'operational_short', erase: eraseByDelete },
  }),
];
