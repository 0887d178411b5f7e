// `patron export member ID [--to FILE]` (PL-11, issue 13): the member's personal data as the same ZIP the privacy
// center's access export builds (PV-15, PV-16: data.json, one CSV per section, index.html, files, manifest), built
// by the privacy module's export builder, recorded as an export and in the audit log, then copied to FILE.
// Exit codes: 0 written, 1 no such member, 2 usage (or FILE exists already).
import { createWriteStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Deps } from '../deps.ts';
import { getMember } from '../modules/accounts/index.ts';
import { buildSubjectExport } from '../modules/privacy/index.ts';

export const exportUsage = 'usage: patron export member ID [--to FILE]   (default FILE: ./patron-export-ID.zip)';

export async function exportCommand(deps: Deps, args: string[], out: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { to: { type: 'string' } } });
  } catch {
    out(exportUsage);
    return 2;
  }
  const [what, memberId, ...extra] = parsed.positionals;
  if (what !== 'member' || !memberId || extra.length > 0) {
    out(exportUsage);
    return 2;
  }
  const to = parsed.values.to ?? `patron-export-${memberId.replace(/[^\w-]/g, '_')}.zip`;
  if (existsSync(to)) {
    out(`${to} exists already; choose another --to`);
    return 2;
  }
  const member = await getMember(deps, memberId);
  if (!member || member.role !== 'member') {
    out(`no member with the ID ${memberId}`);
    return 1;
  }
  const built = await buildSubjectExport(deps, { memberId });
  const stored = await deps.ports.files.getStream(built.storageKey);
  if (!stored) throw new Error(`the export ${built.exportId} was built but its file is missing`);
  await pipeline(Readable.from(stored.stream), createWriteStream(to, { flags: 'wx', mode: 0o600 }));
  out(`export ${built.exportId} written: ${to} (${built.sizeBytes} bytes, ${built.files.length} files, sha256 ${built.sha256})`);
  return 0;
}
