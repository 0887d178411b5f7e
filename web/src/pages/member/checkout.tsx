// /shop/checkout: pay for the cart (ST-2..ST-5, CR-12): where it ships (one of the member's saved addresses or a new
// one, whose state sets the tax; the states offered are those the store ships to), credits applied as money to the
// merchandise (a field and a slider, limited to what the order can take and what the member has), the server's quote
// with every component per line, the ship-by promise, for Plus members the member discount and the choice of a
// next-day delivery voucher (how many are left; MB-8), and a card token. One Idempotency-Key per attempt: a retry of the same
// attempt (a double click, a lost answer) cannot place the order twice; a new attempt after an answer gets a new key.
import { useEffect, useState } from 'react';
import { ApiError, newIdempotencyKey } from '../../api/client.ts';
import { accountsApi, type Address } from '../../api/accounts.ts';
import { creditsApi } from '../../api/credits.ts';
import { storeApi, type Cart, type CheckoutInput, type Quote, type ShippingAddressInput } from '../../api/store.ts';
import { CheckboxField, ErrorSummary, FormInvalid, SelectField, SubmitButton, TextField, check, useForm, type FormState } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { LinesTable, OrderTotals, creditsValueMinor, sandboxTokenHelp } from '../../components/store.tsx';
import { formatCredits, formatMoney, formatShipDate } from '../../lib/format.ts';
import { countryName } from '../../lib/places.ts';
import { regionOptions, useShippingRegions } from '../../lib/regions.ts';
import { quoteKey, useQuote } from '../../lib/use-quote.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Credits pay whole cents: with 100 credits to the dollar any number works; other rates move in steps. */
function creditStep(spendCreditsPerMajorUnit: number): number {
  return spendCreditsPerMajorUnit / gcd(spendCreditsPerMajorUnit, 100);
}

/**
 * The field errors a failed quote names (the address, the code, the credits), to show next to those fields. A new
 * address is priced by its state alone, so an error about the region belongs to the state field.
 */
function quoteFieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const named = error.fieldIssues.filter((issue) => issue.path !== '');
  const fields: Record<string, string> = {};
  for (const issue of named) fields[issue.path === 'region' ? 'shippingAddress.region' : issue.path] ??= issue.source === 'rule' && named.length === 1 ? error.message : issue.message;
  if (named.length === 0 && error.code === 'insufficient_credits') fields.credits = error.message;
  return fields;
}

/** Basis points as a percentage: 500 → "5 %", 750 → "7.5 %". */
function formatPercentBp(bp: number): string {
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(bp / 100)} %`;
}

const zipPattern = /^\d{5}(-\d{4})?$/;

interface NewAddress {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
}

/** A saved address on one line, as the radio button's label says it. */
function describeAddress(address: Address): string {
  return [address.line1, address.line2, address.city, [address.region, address.postalCode].filter(Boolean).join(' '), address.country === 'US' ? null : countryName(address.country)]
    .filter(Boolean)
    .join(', ');
}

/**
 * Where the order ships: one of the member's saved addresses (with the name of who receives it), or a new address.
 * The states offered are the regions the store ships to (GET /store/regions).
 */
function ShippingFields({
  form,
  addresses,
  choice,
  onChoice,
  recipient,
  onRecipient,
  address,
  onAddress,
}: {
  form: FormState;
  addresses: readonly Address[];
  choice: number | 'new';
  onChoice: (choice: number | 'new') => void;
  recipient: string;
  onRecipient: (value: string) => void;
  address: NewAddress;
  onAddress: (address: NewAddress) => void;
}) {
  const regions = useShippingRegions();
  const set = (field: keyof NewAddress) => (value: string) => onAddress({ ...address, [field]: value });
  const choiceError = form.errorFor('shippingAddress.addressId') ?? form.errorFor('shippingAddress');
  const choiceId = form.fieldId('shippingAddress.addressId');
  form.labels.set('shippingAddress.addressId', 'Ship to');
  return (
    <div className="stack">
      {addresses.length > 0 && (
        <fieldset className="radio-group address-choices" id={choiceId} tabIndex={-1} aria-describedby={choiceError ? `${choiceId}-error` : undefined}>
          <legend>Ship to</legend>
          {choiceError && (
            <p className="field-error" id={`${choiceId}-error`}>
              <span className="visually-hidden">Error: </span>
              {choiceError}
            </p>
          )}
          {addresses.map((saved) => (
            <label key={saved.id}>
              <input type="radio" name="ship-to" value={String(saved.id)} checked={choice === saved.id} onChange={() => onChoice(saved.id)} /> {describeAddress(saved)}
            </label>
          ))}
          <label>
            <input type="radio" name="ship-to" value="new" checked={choice === 'new'} onChange={() => onChoice('new')} /> A new address
          </label>
        </fieldset>
      )}
      {addresses.length === 0 && choiceError && (
        <p className="field-error" id={`${choiceId}-error`}>
          {choiceError}
        </p>
      )}
      {choice !== 'new' && (
        <TextField
          form={form}
          name="shippingAddress.name"
          label="Recipient"
          autoComplete="name"
          value={recipient}
          onValue={onRecipient}
          hint="Who receives the parcel. Leave empty for the name on your profile."
          optional
        />
      )}
      {choice === 'new' && (
        <div className="stack" role="group" aria-label="New address">
          {regions.error !== undefined && <ErrorPanel error={regions.error} onRetry={regions.reload} />}
          <TextField form={form} name="shippingAddress.name" label="Full name" autoComplete="shipping name" value={address.name} onValue={set('name')} />
          <TextField form={form} name="shippingAddress.line1" label="Street address" autoComplete="shipping address-line1" value={address.line1} onValue={set('line1')} />
          <TextField form={form} name="shippingAddress.line2" label="Apartment, suite or unit" optional autoComplete="shipping address-line2" value={address.line2} onValue={set('line2')} />
          <div className="field-row">
            <TextField form={form} name="shippingAddress.city" label="City" autoComplete="shipping address-level2" value={address.city} onValue={set('city')} />
            <SelectField
              form={form}
              name="shippingAddress.region"
              label="State"
              hint="The state sets the sales tax."
              autoComplete="shipping address-level1"
              value={address.region}
              onValue={set('region')}
              placeholder="Choose a state"
              options={regionOptions(regions.data)}
            />
            <TextField form={form} name="shippingAddress.postalCode" label="ZIP code" inputMode="numeric" autoComplete="shipping postal-code" value={address.postalCode} onValue={set('postalCode')} />
          </div>
          <p className="small muted">We ship to addresses in the United States, in the states listed.</p>
        </div>
      )}
    </div>
  );
}

/** The place-order form's state, with the live quote's field errors shown too (without moving the focus). */
function withQuoteErrors(form: FormState, errors: Record<string, string>): FormState {
  return { ...form, errorFor: (name) => form.errorFor(name) ?? errors[name] };
}

function ShipByPromise({ quote }: { quote: Quote }) {
  return (
    <div className="promise" role="group" aria-label="Shipping promise">
      <p className="promise-date">
        Ships by <strong data-testid="ship-by">{formatShipDate(quote.shipByDate)}</strong>
      </p>
      {quote.delivery === 'next_day' && quote.deliverByDate && (
        <p className="promise-date">
          Next-day delivery: arrives by <strong data-testid="deliver-by">{formatShipDate(quote.deliverByDate)}</strong>
        </p>
      )}
      <p className="small muted">
        {quote.sameDayShipping
          ? 'Ordered before 1:00 pm Pacific on a business day, it leaves our warehouse today.'
          : 'Orders placed after 1:00 pm Pacific, on weekends or holidays ship the next business day.'}
      </p>
    </div>
  );
}

/**
 * Plus members' next-day delivery voucher (MB-8): one a month of active membership, each usable once. Using one
 * waives the shipping fee and sends the order by next-day delivery; cancelling the order before it ships gives it back.
 */
function DeliveryVoucherField({ form, quote, checked, onChecked }: { form: FormState; quote: Quote; checked: boolean; onChecked: (checked: boolean) => void }) {
  const left = quote.deliveryVouchersLeft;
  const leftText = left === 1 ? '1 voucher left' : `${left} vouchers left`;
  return (
    <fieldset className="card stack" aria-describedby="voucher-explained">
      <legend className="card-legend">Plus next-day delivery</legend>
      <p id="voucher-explained" className="muted small">
        Your Plus membership gives you one next-day delivery voucher a month. With a voucher, shipping is free and your order arrives the business day after it
        ships. Cancel the order before it ships and you get the voucher back.
      </p>
      {left > 0 || checked ? (
        <CheckboxField form={form} name="useDeliveryVoucher" label={`Use a next-day delivery voucher (${leftText})`} checked={checked} onChecked={onChecked} />
      ) : (
        <p data-testid="no-vouchers">You have no voucher left this month; the next one comes with your next month of Plus.</p>
      )}
    </fieldset>
  );
}

function CreditsField({
  form,
  value,
  onValue,
  quote,
  available,
}: {
  form: FormState;
  value: string;
  onValue: (value: string) => void;
  quote: Quote | undefined;
  available: number | undefined;
}) {
  const rate = quote?.spendCreditsPerMajorUnit ?? 100;
  const step = creditStep(rate);
  const spendable = quote ? Math.max(0, quote.availableCredits) : Math.max(0, available ?? 0);
  const limit = quote ? Math.min(quote.maxCredits, Math.floor(spendable / step) * step) : 0;
  const numeric = /^\d+$/.test(value.trim()) ? Number(value) : 0;
  return (
    <fieldset className="card stack credits-box" aria-describedby="credits-explained">
      <legend className="card-legend">Pay with credits</legend>
      <p id="credits-explained" className="muted">
        You have <strong>{formatCredits(available ?? spendable)}</strong> credits available. {formatCredits(rate)} credits are worth {formatMoney(100)}. Credits pay for merchandise after
        discounts, not for shipping, tax or gift cards{quote ? `: this order can take up to ${formatCredits(limit)} credits.` : '.'}
      </p>
      {quote && limit > 0 && (
        <div className="slider-row">
          <label htmlFor="credits-slider" className="visually-hidden">
            Credits to apply, slider
          </label>
          <input
            id="credits-slider"
            type="range"
            min={0}
            max={limit}
            step={step}
            value={Math.min(numeric, limit)}
            onChange={(event) => onValue(event.target.value)}
            aria-valuetext={`${formatCredits(Math.min(numeric, limit))} credits, ${formatMoney(creditsValueMinor(Math.min(numeric, limit), rate))}`}
          />
          <span className="muted small nowrap">max {formatCredits(limit)}</span>
        </div>
      )}
      <div className="inline-form">
        <TextField
          form={form}
          name="credits"
          label="Credits to apply"
          inputMode="numeric"
          autoComplete="off"
          value={value}
          onValue={onValue}
          hint={numeric > 0 ? `Worth ${formatMoney(creditsValueMinor(numeric, rate))} off this order.` : 'Leave at 0 to pay everything by card.'}
        />
        <div className="row-actions">
          <button type="button" className="button secondary small" onClick={() => onValue(String(limit))} disabled={!quote || limit === 0}>
            Use the most
          </button>
          <button type="button" className="button secondary small" onClick={() => onValue('0')}>
            Use none
          </button>
        </div>
      </div>
    </fieldset>
  );
}

function CardTokenField({ form, value, onValue }: { form: FormState; value: string; onValue: (value: string) => void }) {
  return (
    <div className="card stack">
      <h2>Payment</h2>
      <TextField
        form={form}
        name="paymentToken"
        label="Card token"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onValue={onValue}
        hint="This installation takes payments through the sandbox gateway: no real card is charged. Enter one of the test tokens below."
      />
      <div className="token-help">
        <p className="small muted" id="sandbox-tokens-title">
          Sandbox test tokens
        </p>
        <ul className="plain-list small" aria-labelledby="sandbox-tokens-title">
          {sandboxTokenHelp.map((entry) => (
            <li key={entry.token}>
              <code>{entry.token}</code> {entry.effect}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function CheckoutForm({ cart, addresses, available, onPaymentFailed }: { cart: Cart; addresses: readonly Address[]; available: number | undefined; onPaymentFailed: () => void }) {
  const form = useForm({ codeFields: { insufficient_credits: 'credits' } });
  const session = useSession();
  const profileName = session.state.status === 'signed_in' ? [session.state.member.firstName, session.state.member.lastName].filter(Boolean).join(' ') : '';
  // A saved US address by default; a new address (in the cart's state) when there is none.
  const [choice, setChoice] = useState<number | 'new'>(() => addresses.find((address) => address.country === 'US')?.id ?? 'new');
  const [recipient, setRecipient] = useState(profileName);
  const [address, setAddress] = useState<NewAddress>({ name: profileName, line1: '', line2: '', city: '', region: cart.region ?? '', postalCode: '' });
  const [creditsText, setCreditsText] = useState('0');
  const [token, setToken] = useState('');
  const [useVoucher, setUseVoucher] = useState(false);
  // One key per checkout attempt: kept while the answer is unknown, replaced once the server has answered.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const creditsValid = /^\d{1,10}$/.test(creditsText.trim());
  const credits = creditsValid ? Number(creditsText.trim()) : 0;
  // A saved address prices the order itself; a new one by its state until the order is placed with the whole address.
  const savedAddress: ShippingAddressInput | null = choice === 'new' ? null : { addressId: choice, name: recipient.trim() || null };
  const input: CheckoutInput | null = savedAddress
    ? { shippingAddress: savedAddress, discountCode: cart.discountCode, credits, useDeliveryVoucher: useVoucher }
    : address.region
      ? { region: address.region, discountCode: cart.discountCode, credits, useDeliveryVoucher: useVoucher }
      : null;
  const live = useQuote(creditsValid ? input : null, cart.updatedAt);
  const current = input !== null && live.quotedFor === quoteKey(input, cart.updatedAt);
  const quote = live.quote;
  const shown = withQuoteErrors(form, creditsValid ? quoteFieldErrors(live.error) : { credits: 'Enter a whole number of credits, like 500.' });
  const otherQuoteError = live.error !== undefined && Object.keys(quoteFieldErrors(live.error)).length === 0 ? live.error : undefined;

  // A new answer from the server clears the errors of the previous submission about the same fields.
  useEffect(() => {
    if (live.quotedFor) form.clear();
  }, [live.quotedFor]);

  const shippingAddress = (): ShippingAddressInput => {
    if (savedAddress) return savedAddress;
    check([
      ['shippingAddress.name', address.name.trim() === '', 'Enter the name of the person receiving the parcel.'],
      ['shippingAddress.line1', address.line1.trim() === '', 'Enter the street address.'],
      ['shippingAddress.city', address.city.trim() === '', 'Enter the city.'],
      ['shippingAddress.region', address.region === '', 'Choose the state your order ships to.'],
      ['shippingAddress.postalCode', !zipPattern.test(address.postalCode.trim()), 'Enter a ZIP code like 94107 or 94107-1234.'],
      ['credits', !creditsValid, 'Enter a whole number of credits, like 500.'],
      ['paymentToken', token.trim() === '' && !(current && quote?.totalMinor === 0), 'Enter a card token, like tok_approve.'],
    ]);
    return {
      name: address.name.trim(),
      line1: address.line1.trim(),
      line2: address.line2.trim() || null,
      city: address.city.trim(),
      region: address.region,
      postalCode: address.postalCode.trim(),
      country: 'US',
    };
  };

  return (
    <form
      className="stack-large"
      noValidate
      aria-label="Checkout"
      onSubmit={form.handle(async () => {
        const shipTo = shippingAddress();
        check([
          ['credits', !creditsValid, 'Enter a whole number of credits, like 500.'],
          ['paymentToken', token.trim() === '' && !(current && quote?.totalMinor === 0), 'Enter a card token, like tok_approve.'],
        ]);
        const result = await storeApi.placeOrder(
          { shippingAddress: shipTo, credits, discountCode: cart.discountCode, useDeliveryVoucher: useVoucher, paymentToken: token.trim() || undefined },
          idempotencyKey,
        );
        setIdempotencyKey(newIdempotencyKey());
        if (result.payment.outcome === 'approved' || result.payment.outcome === 'not_needed') {
          navigate(`/account/orders/${encodeURIComponent(result.order.id)}?placed=1`);
          return;
        }
        onPaymentFailed();
        const released = result.order.creditsApplied > 0 ? ` The ${formatCredits(result.order.creditsApplied)} credits we reserved for this order are available to you again.` : '';
        throw new FormInvalid(
          { paymentToken: result.payment.message ?? 'The payment did not go through.' },
          `${result.payment.outcome === 'declined' ? 'Your payment was declined' : 'Your payment could not be completed'}: nothing was charged.${released} Try another card.`,
        );
      })}
    >
      <ErrorSummary form={form} title="Your order was not placed" />
      <section className="card" aria-labelledby="checkout-items-title">
        <h2 id="checkout-items-title">Items</h2>
        {!input && <p className="muted">Choose where your order ships to see every price component, the total and the ship-by date.</p>}
        {otherQuoteError !== undefined && <ErrorPanel error={otherQuoteError} />}
        {input && !quote && live.loading && <Loading label="Pricing your order…" />}
        {quote && (
          <div aria-busy={!current || undefined}>
            <LinesTable lines={quote.lines} caption="Items with their share of the discount and the credits" />
          </div>
        )}
      </section>
      <div className="checkout-layout">
        <div className="stack">
          <div className="card stack">
            <h2>Shipping</h2>
            <ShippingFields form={shown} addresses={addresses} choice={choice} onChoice={setChoice} recipient={recipient} onRecipient={setRecipient} address={address} onAddress={setAddress} />
            {quote && current && <ShipByPromise quote={quote} />}
          </div>
          {quote?.plusActive && <DeliveryVoucherField form={shown} quote={quote} checked={useVoucher} onChecked={setUseVoucher} />}
          <CreditsField form={shown} value={creditsText} onValue={setCreditsText} quote={quote} available={available} />
          <CardTokenField form={shown} value={token} onValue={setToken} />
        </div>
        <aside className="card stack" aria-labelledby="checkout-summary-title">
          <h2 id="checkout-summary-title">Summary</h2>
          {quote ? (
            <div className="stack" aria-busy={!current || undefined} data-testid="quote">
              <OrderTotals totals={{ ...quote, discountCode: cart.discountCode }} />
              {quote.plusActive && (
                <p className="small muted" data-testid="plus-discount-note">
                  Plus member discount: {formatPercentBp(quote.memberDiscountBp)} off merchandise{quote.delivery === 'next_day' ? ', and free next-day delivery with your voucher' : ''}.
                </p>
              )}
              <p className="small muted">
                Credits are earned on {formatMoney(quote.qualifyingMinor)} of this order: what you pay in money for merchandise, after discounts; not on shipping, tax,
                gift cards or the part paid with credits.
              </p>
              {!current && (
                <p className="small muted" role="status">
                  Updating the total…
                </p>
              )}
            </div>
          ) : (
            <p className="muted">The total appears once your order is priced.</p>
          )}
          <SubmitButton form={form} busyText="Placing your order…" className="button primary block">
            {quote && current ? (quote.totalMinor > 0 ? `Place order and pay ${formatMoney(quote.totalMinor)}` : 'Place order (paid with credits)') : 'Place order'}
          </SubmitButton>
          <p className="small muted">
            Your card is charged when you place the order. <Link to="/shop/cart">Change your cart</Link>
          </p>
        </aside>
      </div>
    </form>
  );
}

export function CheckoutPage() {
  const cart = useResource(() => storeApi.cart(), []);
  const balance = useResource(() => creditsApi.balance(), []);
  const addresses = useResource(() => accountsApi.addresses().then((answer) => answer.addresses), []);
  return (
    <Page title="Checkout" lead="Review your order, apply credits and pay.">
      {((cart.loading && !cart.data) || (addresses.loading && !addresses.data)) && <Loading label="Loading your cart…" />}
      {cart.error !== undefined && <ErrorPanel error={cart.error} onRetry={cart.reload} />}
      {addresses.error !== undefined && <ErrorPanel error={addresses.error} onRetry={addresses.reload} />}
      {balance.error !== undefined && <ErrorPanel error={balance.error} onRetry={balance.reload} />}
      {cart.data && cart.data.lines.length === 0 && (
        <div className="card">
          <p>Your cart is empty, so there is nothing to check out.</p>
          <p>
            <Link to="/shop">Browse the shop</Link>
          </p>
        </div>
      )}
      {cart.data && cart.data.lines.length > 0 && addresses.data && <CheckoutForm cart={cart.data} addresses={addresses.data} available={balance.data?.available} onPaymentFailed={balance.reload} />}
    </Page>
  );
}
