// The flows' personal-data declaration (src/db/personal-data.ts): runs keep IDs and amounts only (their inputs are
// validated by strict zod schemas, so no name, address or token gets in), and finished runs are pruned after 90 days.
import type { PersonalDataMap } from '../db/personal-data.ts';

const erase = { kind: 'delete' } as const;

export const flowsPersonalData: PersonalDataMap = [
  { table: 'flow_runs', column: 'member_id', category: 'identifier', purpose: 'Which member a checkout, refund, reward-fee or case-resolution run belongs to, until it has finished.', retention: 'operational_short', erase },
  { table: 'flow_runs', column: 'input', category: 'payload', purpose: 'The order, refund, redemption or after-sales case IDs, the acting agent’s ID and the amounts a run needs to resume or undo its steps.', retention: 'operational_short', erase },
  {
    table: 'flow_steps',
    column: 'result',
    category: 'financial',
    purpose: 'Gateway payment references and amounts a step recorded, so a compensation gives back exactly what was taken.',
    retention: 'operational_short',
    erase,
    memberColumn: null,
  },
];
