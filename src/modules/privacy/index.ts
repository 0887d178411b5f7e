// The privacy module's public face (PV-1..PV-34, AC-10): rights requests with their deadlines and verification,
// access and portability exports, erasure, restriction and rectification, retention. It executes the personal-data
// map every module declares, which reaches it as `ctx.ports.personalData` from the composition root.
import type { PersonalDataMap } from '../../db/personal-data.ts';
import { erasurePersonalData } from './erasure.data-map.ts';
import { erasureCompletedEmail } from './emails/erasure-completed.ts';

/** The personal-data columns of this module's own tables (PV-16; docs/PERSONAL-DATA.md). */
export const personalData: PersonalDataMap = [...erasurePersonalData];

/** The module's email templates (listed for the console's preview and the render-every-template test). */
export const templates = [erasureCompletedEmail];

// Erasure, the registry of erased subjects, retention (PV-18, PV-19, PV-30, PV-31).
export { executeErasure, expireKeptRecords, planErasure, subjectExists, erasedText, erasedEmail, type ErasureReport, type KeptColumn, type ErasedColumns } from './erasure.executor.ts';
export { deleteSubjectFiles, eraseSubjectRows, erasureReportSchema, journalErasure, recordErasure } from './erasure.service.ts';
export { findErasure, findErasureOfMember, erasedMemberIds, erasuresWithRecordsDue, markRecordsExpired, erasureReasons, type ErasureReason, type ErasureRecord } from './erasures.repository.ts';
export { appendErasureJournal, readErasureJournal, erasureJournalPath, type JournalEntry } from './erasure-journal.ts';
export { retentionRules, retentionPeriodMs, keptUntil, type RetentionRule } from './retention.rules.ts';
export { erasureCompletedEmail, erasureEmailData } from './emails/erasure-completed.ts';
