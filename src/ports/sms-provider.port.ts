// The SMS provider port (NT-6): how a text leaves Patron. `deps.ports.sms` is the sandbox provider unless a real one
// is wired in src/adapters.ts; inbound texts arrive as a signed webhook (marketing module, PV-28).

export interface OutgoingText {
  /** E.164, e.g. +15551234567. */
  to: string;
  body: string;
  /** Stable per stored text, so a retried send can be recognised by the provider. */
  reference: string;
}

export interface SentText extends OutgoingText {
  sentAtMs: number;
}

export interface SmsProvider {
  readonly name: string;
  /** Resolves once the provider accepted the text; throws when it did not (the job retries). */
  send(text: OutgoingText): Promise<void>;
}

/** The sandbox provider: accepts every text and keeps it in memory for tests, the benchmark and local runs. */
export interface SandboxSmsProvider extends SmsProvider {
  readonly sent: readonly SentText[];
}

export function createSandboxSmsProvider(clock: { nowMs(): number }): SandboxSmsProvider {
  const sent: SentText[] = [];
  return {
    name: 'sandbox',
    sent,
    async send(text) {
      // A retry with the same reference is the same text: the sandbox keeps it once, as a provider would dedupe it.
      if (!sent.some((earlier) => earlier.reference === text.reference)) sent.push({ ...text, sentAtMs: clock.nowMs() });
    },
  };
}
