// /shop/cart: the member's cart (ST-2): lines and quantities, where it ships, a discount code, and an estimate
// priced by the server (shipping, tax, the ship-by date) before checkout.
import { useState } from 'react';
import { storeApi, type Cart } from '../../api/store.ts';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { OrderTotals, Price, creditsValueMinor } from '../../components/store.tsx';
import { formatCredits, formatMoney, formatShipDate } from '../../lib/format.ts';
import { regionOptions, useShippingRegions } from '../../lib/regions.ts';
import { useQuote } from '../../lib/use-quote.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

const quantities = (current: number) => Array.from({ length: Math.max(10, current) }, (_, index) => index + 1);

function CartLines({ cart, onCart }: { cart: Cart; onCart: (cart: Cart, message: string) => void }) {
  const form = useForm();
  const [busy, setBusy] = useState<string | null>(null);
  const change = (productId: string, work: () => Promise<Cart>, message: string) => {
    form.clear();
    setBusy(productId);
    work()
      .then((updated) => onCart(updated, message), form.report)
      .finally(() => setBusy(null));
  };
  return (
    <section className="card flush" aria-labelledby="cart-lines-title">
      <h2 id="cart-lines-title" className="visually-hidden">
        Items
      </h2>
      <ErrorSummary form={form} title="Could not change the cart" />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Items in your cart</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="numeric">
                Price
              </th>
              <th scope="col">Quantity</th>
              <th scope="col" className="numeric">
                Subtotal
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cart.lines.map(({ product, quantity }) => (
              <tr key={product.id}>
                <td>
                  <Link to={`/shop/products/${encodeURIComponent(product.id)}`}>{product.name}</Link>
                  <div className="muted small mono">{product.sku}</div>
                </td>
                <td className="numeric">
                  <Price priceMinor={product.priceMinor} listPriceMinor={product.listPriceMinor} />
                </td>
                <td>
                  <label className="visually-hidden" htmlFor={`quantity-${product.id}`}>
                    Quantity of {product.name}
                  </label>
                  <select
                    id={`quantity-${product.id}`}
                    className="quantity-select"
                    value={quantity}
                    disabled={busy === product.id}
                    onChange={(event) => {
                      const next = Number(event.target.value);
                      change(product.id, () => storeApi.setCartLine(product.id, next), `${product.name}: quantity ${next}.`);
                    }}
                  >
                    {quantities(quantity).map((value) => (
                      <option key={value} value={value}>
                        {value}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="numeric">{formatMoney(product.priceMinor * quantity)}</td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="button link-button small"
                    disabled={busy === product.id}
                    onClick={() => change(product.id, () => storeApi.removeCartLine(product.id), `Removed ${product.name}.`)}
                  >
                    Remove<span className="visually-hidden"> {product.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The discount code: checked by pricing the cart with it before it is saved, so a bad code is refused here. */
function DiscountCodeForm({ cart, onCart }: { cart: Cart; onCart: (cart: Cart, message: string) => void }) {
  const form = useForm({ codeFields: { not_eligible: 'discountCode' } });
  const [code, setCode] = useState('');
  if (cart.discountCode) {
    return (
      <div className="applied-code">
        <span>
          Code <strong className="mono">{cart.discountCode}</strong> applied
        </span>
        <ErrorSummary form={form} title="Could not remove the code" />
        <button
          type="button"
          className="button link-button small"
          onClick={() => {
            form.clear();
            storeApi.setCartOptions({ discountCode: null }).then((updated) => onCart(updated, 'Discount code removed.'), form.report);
          }}
        >
          Remove code
        </button>
      </div>
    );
  }
  return (
    <form
      className="inline-form"
      noValidate
      aria-label="Apply a discount code"
      onSubmit={form.handle(async () => {
        const text = code.trim().toUpperCase();
        check([
          ['discountCode', text === '', 'Enter a discount code.'],
          ['discountCode', !cart.region, 'Choose where your order ships first: the code is checked against your order.'],
        ]);
        await storeApi.quote({ region: cart.region!, discountCode: text, credits: 0 });
        const updated = await storeApi.setCartOptions({ discountCode: text });
        setCode('');
        onCart(updated, `Discount code ${text} applied.`);
      })}
    >
      <ErrorSummary form={form} />
      <TextField form={form} name="discountCode" label="Discount code" value={code} onValue={setCode} autoComplete="off" spellCheck={false} />
      <SubmitButton form={form} busyText="Checking…" className="button secondary">
        Apply code
      </SubmitButton>
    </form>
  );
}

function RegionField({ cart, onCart }: { cart: Cart; onCart: (cart: Cart, message: string) => void }) {
  const form = useForm();
  const regions = useShippingRegions();
  return (
    <div>
      <ErrorSummary form={form} title="Could not save the region" />
      {regions.error !== undefined && <ErrorPanel error={regions.error} onRetry={regions.reload} />}
      <SelectField
        form={form}
        name="region"
        label="Ships to"
        hint="The state sets the sales tax."
        value={cart.region ?? ''}
        placeholder="Choose a state"
        options={regionOptions(regions.data)}
        onValue={(region) => {
          form.clear();
          storeApi.setCartOptions({ region: region || null }).then((updated) => onCart(updated, 'Shipping region saved.'), form.report);
        }}
      />
    </div>
  );
}

export function CartPage() {
  const cart = useResource(() => storeApi.cart(), []);
  const [status, setStatus] = useState<string | null>(null);
  const data = cart.data;
  const estimateInput = data && data.lines.length > 0 && data.region ? { region: data.region, discountCode: data.discountCode, credits: 0 } : null;
  const estimate = useQuote(estimateInput, data?.updatedAt);
  const onCart = (updated: Cart, message: string) => {
    cart.set(updated);
    setStatus(message);
  };
  const subtotal = data?.lines.reduce((sum, line) => sum + line.product.priceMinor * line.quantity, 0) ?? 0;

  return (
    <Page title="Your cart" lead="Check your items, then pay with money, credits or both at checkout.">
      {cart.loading && !data && <Loading label="Loading your cart…" />}
      {cart.error !== undefined && <ErrorPanel error={cart.error} onRetry={cart.reload} />}
      {data && data.lines.length === 0 && (
        <div className="card">
          <p>Your cart is empty.</p>
          <p>
            <Link to="/shop">Browse the shop</Link>
          </p>
        </div>
      )}
      {data && data.lines.length > 0 && (
        <div className="checkout-layout">
          <div className="stack">
            {status && <StatusMessage>{status}</StatusMessage>}
            <CartLines cart={data} onCart={onCart} />
            <p>
              <Link to="/shop">Continue shopping</Link>
            </p>
          </div>
          <aside className="card stack" aria-labelledby="cart-summary-title">
            <h2 id="cart-summary-title">Summary</h2>
            <RegionField cart={data} onCart={onCart} />
            <DiscountCodeForm cart={data} onCart={onCart} />
            {!estimateInput && (
              <dl className="summary" aria-label="Order totals">
                <div className="summary-total">
                  <dt>Merchandise</dt>
                  <dd>{formatMoney(subtotal)}</dd>
                </div>
              </dl>
            )}
            {estimateInput && estimate.error !== undefined && <ErrorPanel error={estimate.error} />}
            {estimateInput && estimate.quote && (
              <div aria-busy={estimate.loading || undefined}>
                <OrderTotals totals={{ ...estimate.quote, discountCode: data.discountCode }} totalLabel="Estimated total" />
                <p className="small muted">
                  Ships by {formatShipDate(estimate.quote.shipByDate)}
                  {estimate.quote.sameDayShipping ? ' (today, if you order now)' : ''}.
                  {estimate.quote.maxCredits > 0 &&
                    ` At checkout, up to ${formatCredits(estimate.quote.maxCredits)} credits (${formatMoney(creditsValueMinor(estimate.quote.maxCredits, estimate.quote.spendCreditsPerMajorUnit))}) can pay for the merchandise.`}
                </p>
              </div>
            )}
            {estimateInput && !estimate.quote && estimate.loading && <Loading label="Pricing your order…" />}
            {!data.region && <p className="small muted">Choose where your order ships to see shipping, tax and the ship-by date.</p>}
            <Link to="/shop/checkout" className="button primary block">
              Continue to checkout
            </Link>
          </aside>
        </div>
      )}
    </Page>
  );
}
