// `npm run bench [-- foundation|ledger|store|membership|aftersales-images|aftersales-queue|privacy|import|http-balance|marketing|drill-webhooks|all] [--size XS|S|M]`: benchmark scripts that print numbers (PERFORMANCE.md).
// `npm run bench -- drill-crash|drill-pg-restart|drill-instances [--long]`: the reliability drills (issue 13), not part of `all`.
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { size: { type: 'string', default: 'S' }, long: { type: 'boolean', default: false } },
});
const suite = positionals[0] ?? 'all';
const size = (['XS', 'S', 'M'].includes(values.size!) ? values.size : 'S') as 'XS' | 'S' | 'M';

const suites: Record<string, () => Promise<void>> = {
  foundation: async () => (await import('./foundation.ts')).runFoundationBench(),
  ledger: async () => (await import('./ledger.ts')).runLedgerBench({ size }),
  sweep: async () => (await import('./sweep.ts')).runSweepBench({ size }),
  store: async () => (await import('./store.ts')).runStoreBench(),
  membership: async () => (await import('./membership.ts')).runMembershipBench({ size }),
  'aftersales-images': async () => (await import('./aftersales-images.ts')).runAftersalesImagesBench(),
  'aftersales-queue': async () => (await import('./aftersales-queue.ts')).runAftersalesQueueBench({ size }),
  privacy: async () => (await import('./privacy.ts')).runPrivacyBench({ size }),
  'drill-webhooks': async () => (await import('./drill-webhook-outage.ts')).runWebhookOutageDrillBench({ size }),
  'http-balance': async () => (await import('./http-balance.ts')).runHttpBalanceBench(),
  import: async () => (await import('./import.ts')).runImportBench({ size }),
};

const drills: Record<string, () => Promise<void>> = {
  'drill-crash': async () => (await import('./drill-crash.ts')).runCrashDrillBench({ long: values.long! }),
  marketing: async () => (await import('./marketing.ts')).runMarketingBench({ size }),
  'drill-pg-restart': async () => (await import('./drill-pg-restart.ts')).runPostgresRestartDrillBench({ long: values.long! }),
  'drill-instances': async () => (await import('./drill-instances.ts')).runInstancesDrillBench({ long: values.long! }),
};

const chosen = suite === 'all' ? Object.keys(suites) : [suite];
for (const name of chosen) {
  const run = suites[name] ?? drills[name];
  if (!run) {
    process.stderr.write(`unknown bench "${name}"; choose one of: ${[...Object.keys(suites), ...Object.keys(drills)].join(', ')}, all\n`);
    process.exit(2);
  }
  const sized = ['ledger', 'sweep', 'membership', 'aftersales-queue', 'privacy', 'import', 'marketing', 'drill-webhooks'].includes(name);
  process.stdout.write(`\n### bench: ${name}${sized ? ` (size ${size})` : ''}\n`);
  await run();
}
