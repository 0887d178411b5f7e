// The requester's erasure report (PV-18), in customer words: what was deleted, what was anonymized, and what the law
// makes us keep, why and until when. It names tables in plain words only through the groups below; no personal data
// is in it (the person's name is gone by the time it is sent, so there is no greeting by name).
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc } from '../../notifications/index.ts';
import type { ErasureReport } from '../erasure.executor.ts';

const keptItem = z.strictObject({ what: z.string().min(1).max(200), why: z.string().min(1).max(600), until: z.iso.date() });

export const erasureCompletedEmail = defineTemplate(
  'privacy-erasure-completed',
  z.strictObject({
    erasedAt: z.iso.datetime({ offset: true }),
    deletedCount: z.number().int().nonnegative(),
    anonymizedCount: z.number().int().nonnegative(),
    filesDeleted: z.number().int().nonnegative(),
    kept: z.array(keptItem).max(50),
  }),
  (data) => ({
    subject: 'Your personal data has been erased',
    blocks: [
      { kind: 'paragraph', text: 'Hello,' },
      { kind: 'paragraph', text: `As you asked, we erased your personal data on ${formatDateTimeUtc(data.erasedAt)}. Your account is closed and can no longer be signed in to.` },
      {
        kind: 'paragraph',
        text: `We deleted ${data.deletedCount} kinds of records (your profile details, saved addresses, sign-in sessions, messages and similar) and ${data.filesDeleted} uploaded file(s), and removed your name, contact details and what you wrote from ${data.anonymizedCount} kinds of records we must keep.`,
      },
      ...(data.kept.length > 0
        ? [
            { kind: 'paragraph' as const, text: 'The law requires us to keep some records, no longer linked to your name or contact details:' },
            { kind: 'table' as const, columns: ['Records', 'Kept until', 'Why'], rows: data.kept.map((item) => [item.what, item.until, item.why]) },
          ]
        : []),
      { kind: 'paragraph', text: 'If you think something was missed, reply to this message or contact our privacy team.' },
    ],
  }),
  {
    erasedAt: '2026-05-02T17:00:00.000Z',
    deletedCount: 12,
    anonymizedCount: 6,
    filesDeleted: 1,
    kept: [{ what: 'Order and tax records', why: 'Commercial and tax records must be kept for the statutory period (7 years).', until: '2033-07-02' }],
  },
);

/** The email's data from an erasure report: kept values grouped by legal basis, tables in plain words. */
export function erasureEmailData(report: ErasureReport): z.input<typeof erasureCompletedEmail.schema> {
  const byBasis = new Map<string, { tables: Set<string>; until: string }>();
  for (const item of report.kept) {
    const group = byBasis.get(item.legalBasis) ?? { tables: new Set<string>(), until: item.until };
    group.tables.add(item.table.replace(/_/g, ' '));
    if (item.until > group.until) group.until = item.until;
    byBasis.set(item.legalBasis, group);
  }
  return {
    erasedAt: new Date(report.erasedAtMs).toISOString(),
    deletedCount: report.deleted.length,
    anonymizedCount: report.anonymized.length,
    filesDeleted: report.filesDeleted,
    kept: [...byBasis].slice(0, 50).map(([why, group]) => ({ what: [...group.tables].join(', ').slice(0, 200), why: why.slice(0, 600), until: group.until })),
  };
}
