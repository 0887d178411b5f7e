// Faults for flow tests: a flow definition that stops before a step (a crash between steps, in-process by a promise
// that never settles, or in a child process by SIGKILL), and a gateway whose refunds are refused until it recovers.
import type { CheckoutInput, FlowDefinition } from '../../src/flows/index.ts';
import type { PaymentGateway } from '../../src/ports/index.ts';

/**
 * The same flow, but `stop` is called instead of the step's run (phase `run`) or before its compensation (phase
 * `compensate`): everything recorded before has committed, nothing of that step has happened.
 */
export function stopBefore<I, T>(definition: FlowDefinition<I, T>, stepName: string, phase: 'run' | 'compensate', stop: () => Promise<never>): FlowDefinition<I, T> {
  if (!definition.steps.some((step) => step.name === stepName)) throw new Error(`flow ${definition.type} has no step ${stepName}`);
  return {
    ...definition,
    steps: definition.steps.map((step) => {
      if (step.name !== stepName) return step;
      if (phase === 'run') return { name: step.name, kind: 'call' as const, run: () => stop(), ...(step.compensate ? { compensate: step.compensate.bind(step) } : {}) };
      return { ...step, compensate: () => stop() };
    }),
  };
}

/** An in-process "crash": the flow stops forever at that point; `reached` settles when it got there. */
export function hangAt(): { stop: () => Promise<never>; reached: Promise<void> } {
  let signal!: () => void;
  const reached = new Promise<void>((resolve) => (signal = resolve));
  return {
    reached,
    stop: () => {
      signal();
      return new Promise<never>(() => undefined);
    },
  };
}

/** Refuses every refund (the gateway answers processing_error, nothing happens) until `recover()`. */
export function refusingRefunds(gateway: PaymentGateway): { gateway: PaymentGateway; recover(): void; refusals(): number } {
  let refusing = true;
  let refused = 0;
  return {
    gateway: {
      name: gateway.name,
      authorize: (input) => gateway.authorize(input),
      capture: (input) => gateway.capture(input),
      void: (input) => gateway.void(input),
      async refund(input) {
        if (!refusing) return gateway.refund(input);
        refused++;
        return { ok: false, code: 'processing_error', message: 'The refund could not be completed.' };
      },
    },
    recover: () => void (refusing = false),
    refusals: () => refused,
  };
}

/** A member's checkout of one product shipping to Oregon, paid with the approve token and `credits` credits. */
export function checkoutOf(memberId: string, productId: string, credits: number): CheckoutInput {
  return {
    memberId,
    guestEmail: null,
    lines: [{ productId, quantity: 1 }],
    discountCode: null,
    shippingAddress: { name: 'Pat Shopper', line1: '500 Market St', city: 'Portland', region: 'US-OR', postalCode: '97201' },
    credits,
    paymentToken: 'tok_approve',
    fromCart: false,
  };
}
