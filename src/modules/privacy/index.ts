// The privacy module's public face (PV-1..PV-34, AC-10): rights requests with their deadlines and verification,
// access and portability exports, erasure, restriction and rectification, retention. It executes the personal-data
// map every module declares, which reaches it as `ctx.ports.personalData` from the composition root.
import type { PersonalDataMap } from '../../db/personal-data.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { exportPersonalData } from './export.data-map.ts';
import { exportJobHandlers, exportSchedules } from './export.jobs.ts';
import { registerExportRoutes } from './export.routes.ts';
import { exportDownloadCodeEmail } from './emails/export-download-code.ts';

/** The personal-data columns of this module's own tables (PV-16; docs/PERSONAL-DATA.md). */
export const personalData: PersonalDataMap = [...exportPersonalData];

// ---- Access and portability exports, know (PV-15..PV-17; export.*) ----
export { buildSubjectExport, queueSubjectExport, requestOwnExport, know, exportSchema, expireDueExports, exportJobType, exportExpiryJobType, type SubjectExport, type ExportFile, type KnowReport } from './export.service.ts';
export const registerRoutes: RegisterRoutes = (app, deps) => {
  registerExportRoutes(app, deps);
};
export const jobHandlers: Record<string, JobHandler> = { ...exportJobHandlers };
export const schedules: Schedule[] = [...exportSchedules];
export const templates = [exportDownloadCodeEmail];
