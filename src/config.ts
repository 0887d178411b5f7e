// Reads the environment once, validates it with zod, and freezes the result (PL-17).
import { z } from 'zod';

const booleanText = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const oidcProvider = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'provider id: lower-case letters, digits and dashes'),
  name: z.string().min(1).max(64),
  issuer: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});
export type OidcProviderConfig = z.infer<typeof oidcProvider>;

const environmentSchema = z.object({
  PATRON_DATA_DIR: z.string().min(1).default('./data'),
  PATRON_DATABASE_URL: z.string().min(1).optional(),
  PATRON_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  PATRON_HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PATRON_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PATRON_PUBLIC_URL: z.url().optional(),
  PATRON_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'PATRON_SMTP_URL must start with smtp:// or smtps://').optional(),
  PATRON_MAIL_FROM: z.string().min(3).default('Patron <no-reply@patron.localhost>'),
  PATRON_OIDC_PROVIDERS: z.string().optional(),
  PATRON_CLOCK: z.enum(['system', 'simulated']).default('system'),
  PATRON_CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  PATRON_SECRET: z.string().min(32, 'PATRON_SECRET must be at least 32 characters').optional(),
  PATRON_DEMO_DATA: booleanText.optional(),
  PATRON_WORKER: booleanText.default(true),
  /** `patron worker`'s CPU priority below the server's on a shared host (nice 0–19; 0 keeps it equal). Linux only. */
  PATRON_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  PATRON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PATRON_TRUST_PROXY: booleanText.default(false),
  // PV-23: the request header a CDN or proxy puts the visitor's country (or ISO 3166-2 subdivision) in, such as
  // CF-IPCountry; and the region assumed when neither the header nor a signed-in member's country tells.
  PATRON_REGION_HEADER: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'PATRON_REGION_HEADER: a header name').transform((v) => v.toLowerCase()).optional(),
  PATRON_DEFAULT_REGION: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'PATRON_DEFAULT_REGION: a country code such as DE or US-CA').optional(),
  /** After-sales (issue 9): days a case waits for the requester's answer / for the returned item before it expires. */
  PATRON_CASE_NEEDS_INFO_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  PATRON_CASE_AWAITING_RETURN_EXPIRY_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  /** Outgoing webhooks (issue 13): days an endpoint may fail without a success before it is disabled. */
  PATRON_WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().int().min(1).max(90).default(3),
  /** Marketing (issue 11): the inbound SMS webhook's HMAC secret (derived from PATRON_SECRET when unset). */
  PATRON_SMS_WEBHOOK_SECRET: z.string().min(32, 'PATRON_SMS_WEBHOOK_SECRET must be at least 32 characters').optional(),
  /** The store's contact details a HELP text answers with (PV-28). */
  PATRON_STORE_CONTACT: z.string().trim().min(3).max(120).default('Patron Store support: support@patron.localhost'),
  /** The newsletter's first-order discount in percent (ST-10). */
  PATRON_NEWSLETTER_DISCOUNT_PERCENT: z.coerce.number().int().min(1).max(100).default(15),
});

export interface Config {
  dataDir: string;
  database: { url: string; poolSize: number; isEmbeddedDefault: boolean };
  http: { host: string; port: number; publicUrl: string; trustProxy: boolean; secureCookies: boolean };
  mail: { smtpUrl: string | undefined; from: string };
  oidcProviders: OidcProviderConfig[];
  clock: { mode: 'system' | 'simulated'; startMs: number | undefined };
  /** Set when given by the environment; otherwise main.ts loads or generates it in the data folder. */
  secret: string | undefined;
  demoData: boolean;
  worker: boolean;
  /** The nice value `patron worker` gives its own thread (platform/thread-priority.ts). */
  workerNice: number;
  logLevel: z.infer<typeof environmentSchema>['PATRON_LOG_LEVEL'];
  /** Undefined: the after-sales module's defaults (defaultCaseExpirySettings). */
  aftersales: { needsInfoExpiryDays: number | undefined; awaitingReturnExpiryDays: number | undefined };
  webhooks: { disableAfterDays: number };
  /** Where a visitor is, for the consent regime (PV-23): a lower-cased header name, and the fallback region. */
  consent: { regionHeader: string | undefined; defaultRegion: string | undefined };
  /** Marketing (issue 11): undefined webhook secret → derived from the server secret (marketing.rules.ts). */
  marketing: { smsWebhookSecret: string | undefined; storeContact: string; newsletterDiscountPercent: number };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(environment: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  let oidcProviders: OidcProviderConfig[] = [];
  if (env.PATRON_OIDC_PROVIDERS) {
    let raw: unknown;
    try {
      raw = JSON.parse(env.PATRON_OIDC_PROVIDERS);
    } catch {
      throw new ConfigError('Invalid configuration:\n  PATRON_OIDC_PROVIDERS: not valid JSON (expected an array of {id, name, issuer, clientId, clientSecret})');
    }
    const providers = z.array(oidcProvider).safeParse(raw);
    if (!providers.success) {
      throw new ConfigError(`Invalid configuration:\n  PATRON_OIDC_PROVIDERS: ${providers.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    oidcProviders = providers.data;
  }
  const port = env.PATRON_PORT ?? env.PORT ?? 3000;
  const publicUrl = (env.PATRON_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  const isEmbeddedDefault = env.PATRON_DATABASE_URL === undefined;
  const databaseUrl = env.PATRON_DATABASE_URL ?? `${env.PATRON_DATA_DIR.replace(/\/$/, '')}/patron.sqlite`;
  return Object.freeze({
    dataDir: env.PATRON_DATA_DIR,
    database: { url: databaseUrl, poolSize: env.PATRON_DATABASE_POOL_SIZE, isEmbeddedDefault },
    http: { host: env.PATRON_HOST, port, publicUrl, trustProxy: env.PATRON_TRUST_PROXY, secureCookies: publicUrl.startsWith('https://') },
    mail: { smtpUrl: env.PATRON_SMTP_URL, from: env.PATRON_MAIL_FROM },
    oidcProviders,
    clock: { mode: env.PATRON_CLOCK, startMs: env.PATRON_CLOCK_START ? Date.parse(env.PATRON_CLOCK_START) : undefined },
    secret: env.PATRON_SECRET,
    demoData: env.PATRON_DEMO_DATA ?? isEmbeddedDefault,
    worker: env.PATRON_WORKER,
    workerNice: env.PATRON_WORKER_NICE,
    logLevel: env.PATRON_LOG_LEVEL,
    aftersales: { needsInfoExpiryDays: env.PATRON_CASE_NEEDS_INFO_EXPIRY_DAYS, awaitingReturnExpiryDays: env.PATRON_CASE_AWAITING_RETURN_EXPIRY_DAYS },
    webhooks: { disableAfterDays: env.PATRON_WEBHOOK_DISABLE_AFTER_DAYS },
    consent: { regionHeader: env.PATRON_REGION_HEADER, defaultRegion: env.PATRON_DEFAULT_REGION },
    marketing: { smsWebhookSecret: env.PATRON_SMS_WEBHOOK_SECRET, storeContact: env.PATRON_STORE_CONTACT, newsletterDiscountPercent: env.PATRON_NEWSLETTER_DISCOUNT_PERCENT },
  });
}
