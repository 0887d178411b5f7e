// Prices the signed-in member's cart as the inputs change (POST /store/checkout/quote): a short pause after the
// last change, answers that arrive out of order ignored, the last good quote kept while a new one loads.
import { useEffect, useRef, useState } from 'react';
import { storeApi, type CheckoutInput, type Quote } from '../api/store.ts';

export interface QuoteState {
  quote: Quote | undefined;
  /** The inputs the quote was made for: compare with the current ones to know whether it is up to date. */
  quotedFor: string | undefined;
  error: unknown;
  loading: boolean;
}

export function quoteKey(input: CheckoutInput, cartVersion: string | null | undefined): string {
  return JSON.stringify([input.shippingAddress ?? null, input.region ?? null, input.discountCode ?? null, input.credits, input.useDeliveryVoucher ?? false, cartVersion ?? null]);
}

/** `input` null: nothing to price yet (no address or region, or an empty cart). */
export function useQuote(input: CheckoutInput | null, cartVersion: string | null | undefined, delayMs = 250): QuoteState {
  const [state, setState] = useState<QuoteState>({ quote: undefined, quotedFor: undefined, error: undefined, loading: false });
  const latest = useRef(0);
  const key = input ? quoteKey(input, cartVersion) : null;

  useEffect(() => {
    const ticket = ++latest.current;
    if (!input || key === null) {
      setState({ quote: undefined, quotedFor: undefined, error: undefined, loading: false });
      return;
    }
    setState((current) => ({ ...current, loading: true }));
    const timer = window.setTimeout(() => {
      storeApi.quote(input).then(
        (quote) => {
          if (ticket === latest.current) setState({ quote, quotedFor: key, error: undefined, loading: false });
        },
        (error: unknown) => {
          if (ticket === latest.current) setState((current) => ({ ...current, quotedFor: undefined, error, loading: false }));
        },
      );
    }, delayMs);
    return () => window.clearTimeout(timer);
    // `input` is rebuilt every render; `key` names everything it holds.
  }, [key, delayMs]);

  return state;
}
