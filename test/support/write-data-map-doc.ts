// `npm run -s docs:data-map`: writes docs/PERSONAL-DATA.md from the personal-data map (the data-map test fails until
// the file matches the declarations).
import { writeFileSync } from 'node:fs';
import { renderPersonalDataDoc } from '../../src/db/personal-data.doc.ts';
import { nonPersonalColumns } from '../../src/db/personal-data.rules.ts';
import { personalDataByOwner } from './data-map.ts';

export const personalDataDocPath = new URL('../../docs/PERSONAL-DATA.md', import.meta.url);

export function currentPersonalDataDoc(): string {
  return renderPersonalDataDoc(personalDataByOwner(), nonPersonalColumns);
}

if (import.meta.main) {
  writeFileSync(personalDataDocPath, currentPersonalDataDoc());
  process.stdout.write(`wrote ${personalDataDocPath.pathname}\n`);
}
