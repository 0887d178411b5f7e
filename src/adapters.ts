// The default adapters behind the ports (src/ports): the sandbox payment gateway, SMTP when configured, the accounts
// module's member contacts and files in the data folder. A real payment processor or an object store replaces one
// line here.
import { join } from 'node:path';
import type { Deps } from './deps.ts';
import type { Ports } from './deps.ts';
import type { PersonalDataMap } from './db/personal-data.ts';
import { memberLifecycle } from './flows/member-lifecycle.ts';
import { createFolderFileStorage } from './ports/local-file-storage.ts';
import { createSandboxSmsProvider } from './ports/index.ts';
import { memberContacts } from './modules/accounts/index.ts';
import { createSmtpTransport } from './modules/notifications/index.ts';
import { createSandboxGateway } from './modules/payments/index.ts';
import { modules } from './modules.ts';

export function createDefaultPorts(deps: Pick<Deps, 'config' | 'database' | 'clock'>): Ports {
  return {
    payments: createSandboxGateway(deps),
    mail: deps.config.mail.smtpUrl ? createSmtpTransport(deps.config.mail.smtpUrl) : null,
    sms: createSandboxSmsProvider(deps.clock),
    memberContacts,
    files: createFolderFileStorage(join(deps.config.dataDir, 'files')),
    memberLifecycle,
    personalData: installationPersonalData(),
  };
}

/** Every module's personal-data declaration, in the composition root's order. */
export function installationPersonalData(): PersonalDataMap {
  return modules.flatMap((module) => module.personalData ?? []);
}
