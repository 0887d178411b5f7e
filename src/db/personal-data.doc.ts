// Renders the personal-data map as docs/PERSONAL-DATA.md: the human-readable view of what the privacy module's
// export, erasure and retention will execute. Generated (npm run -s docs:data-map), and a test fails when the file
// differs from the map, so the document can never drift from the declarations.
import { memberColumnOf, type EraseAction, type PersonalDataMap } from './personal-data.ts';
import type { AllowlistEntry } from './personal-data.rules.ts';

export interface MapOwner {
  owner: string;
  map: PersonalDataMap;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Legal bases are long and shared by many columns: the tables cite them by number, listed once at the end. */
function eraseText(erase: EraseAction, bases: string[]): string {
  switch (erase.kind) {
    case 'delete':
      return 'delete';
    case 'anonymize':
      return 'anonymize';
    case 'keep_for_law': {
      if (!bases.includes(erase.legalBasis)) bases.push(erase.legalBasis);
      return `keep for law [${bases.indexOf(erase.legalBasis) + 1}]`;
    }
  }
}

export function renderPersonalDataDoc(owners: readonly MapOwner[], allowlist: readonly AllowlistEntry[]): string {
  const lines: string[] = [
    '# Personal-data map',
    '',
    '<!-- Generated from the modules\' *.data-map.ts files by `npm run -s docs:data-map`; do not edit by hand. -->',
    '',
    'Every column that can hold personal data, as its module declares it next to its tables (PV-16, docs/CONTRACTS.md).',
    'The privacy center\'s export, erasure and retention read these declarations and nothing else. "Member column" is',
    'the column of the same row that names the member the value belongs to; "none" marks rows without a member, which',
    'rely on their retention alone. "Record time" is the column that dates a row: the `transaction_records` period',
    '(7 years + 2 months) counts from it, and then the retention job clears the row\'s name, contact, address and',
    'free-text values (PV-30, src/modules/privacy/README.md).',
    '',
    'Retention classes: `account` (while the account is open, then erased), `transaction_records` (tax and commercial',
    'records: the legal period, 7 years by default, then deleted), `security_log` (sessions, tokens, throttles: days),',
    '`operational_short` (queues, webhook bodies, idempotency answers: pruned within 90 days), `legal_hold` (the audit',
    'trail and program records: as long as the law requires).',
    '',
  ];
  const bases: string[] = [];
  for (const { owner, map } of owners) {
    lines.push(`## ${owner}`, '');
    if (map.length === 0) {
      lines.push('No personal data.', '');
      continue;
    }
    const tables = [...new Set(map.map((column) => column.table))];
    for (const table of tables) {
      const recordTime = map.find((entry) => entry.table === table && entry.recordTimeColumn !== undefined)?.recordTimeColumn;
      lines.push(`### ${table}`, '', ...(recordTime === undefined ? [] : [`Record time: \`${recordTime}\``, '']), '| Column | Category | Purpose | Retention | On erasure | Member column |', '| --- | --- | --- | --- | --- | --- |');
      for (const column of map.filter((entry) => entry.table === table)) {
        lines.push(`| ${column.column} | ${column.category} | ${cell(column.purpose)} | ${column.retention} | ${eraseText(column.erase, bases)} | ${memberColumnOf(column) ?? 'none'} |`);
      }
      lines.push('');
    }
  }
  lines.push('## Legal bases for keeping', '');
  bases.forEach((basis, index) => lines.push(`${index + 1}. ${cell(basis)}`));
  lines.push(
    '',
    '## Text columns that hold no personal data',
    '',
    'Any other column whose type can hold text, or whose name sounds personal, must be declared above unless one of',
    'these entries exempts it (src/db/personal-data.rules.ts). References to a person (`member_id`, `actor_id`…) are',
    'never exempt.',
    '',
    '| Columns | Tables | Why |',
    '| --- | --- | --- |',
  );
  for (const entry of allowlist) {
    const columns = Array.isArray(entry.columns) ? (entry.columns as readonly string[]).join(', ') : `\`${String(entry.columns)}\``;
    lines.push(`| ${cell(columns)} | ${entry.tables ? entry.tables.join(', ') : 'any'} | ${cell(entry.why)} |`);
  }
  lines.push('');
  return lines.join('\n');
}
