// /shop and /shop/products/:id: the catalog (ST-1) by category, with prices and list prices, and one product.
// Anyone can browse; adding to the cart needs a signed-in member.
import { useState } from 'react';
import { storeApi, type Cart, type Product } from '../../api/store.ts';
import { ErrorSummary, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { Price, categoryLabel } from '../../components/store.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';

function quantityInCart(cart: Cart | undefined, productId: string): number {
  return cart?.lines.find((line) => line.product.id === productId)?.quantity ?? 0;
}

function ProductBadges({ product }: { product: Product }) {
  return (
    <span className="badges">
      {product.giftCard && <span className="badge">Gift card: earns no credits</span>}
      {!product.giftCard && !product.earnsCredits && <span className="badge">Earns no credits</span>}
      {product.plusBonus && <span className="badge success">Plus bonus credits</span>}
      {product.stock === 0 && <span className="badge danger">Sold out</span>}
    </span>
  );
}

/** Adds a product to the member's cart, or sends a visitor to sign in and back. */
function AddToCart({ product, cart, onCart, quantity = 1 }: { product: Product; cart: Cart | undefined; onCart: (cart: Cart, message: string) => void; quantity?: number }) {
  const { state } = useSession();
  const form = useForm();
  if (state.status !== 'signed_in') {
    return (
      <Link to={`/sign-in?next=${encodeURIComponent(`/shop/products/${product.id}`)}`} className="button secondary small">
        Sign in to buy
      </Link>
    );
  }
  const inCart = quantityInCart(cart, product.id);
  return (
    <form
      className="add-to-cart"
      noValidate
      onSubmit={form.handle(async () => {
        const updated = await storeApi.setCartLine(product.id, inCart + quantity);
        onCart(updated, `Added ${product.name} to your cart.`);
      })}
    >
      <ErrorSummary form={form} title="Could not add to the cart" />
      <button type="submit" className="button primary small" disabled={form.submitting || product.stock === 0} aria-label={`Add ${product.name} to cart`}>
        {form.submitting ? 'Adding…' : 'Add to cart'}
      </button>
      {inCart > 0 && <span className="muted small">{inCart} in your cart</span>}
    </form>
  );
}

function CartLink({ cart }: { cart: Cart | undefined }) {
  const count = cart?.lines.reduce((sum, line) => sum + line.quantity, 0) ?? 0;
  return (
    <Link to="/shop/cart" className="button secondary">
      Cart{count > 0 ? ` (${count})` : ''}
    </Link>
  );
}

export function ShopPage() {
  const { search } = useLocation();
  const { state } = useSession();
  const signedIn = state.status === 'signed_in';
  const category = search.get('category') ?? '';
  const text = search.get('q') ?? '';
  const [draft, setDraft] = useState(text);
  const [status, setStatus] = useState<string | null>(null);
  const categories = useResource(() => storeApi.categories(), []);
  const products = useResource(() => storeApi.products({ category: category || undefined, search: text || undefined }), [category, text]);
  const cart = useResource(() => (signedIn ? storeApi.cart() : Promise.resolve(undefined)), [signedIn]);
  const onCart = (updated: Cart, message: string) => {
    cart.set(updated);
    setStatus(message);
  };
  const linkFor = (value: string) => `/shop${value ? `?category=${encodeURIComponent(value)}` : ''}`;

  return (
    <Page title="Shop" lead="Chargers, power banks, cables and docks. Pay with money, credits or both." actions={signedIn ? <CartLink cart={cart.data} /> : undefined}>
      <div className="stack-large">
        <div className="shop-toolbar">
          <nav aria-label="Categories" className="chips">
            <Link to="/shop" aria-current={category === '' ? 'page' : undefined}>
              All
            </Link>
            {categories.data?.categories.map((item) => (
              <Link key={item.id} to={linkFor(item.id)} aria-current={category === item.id ? 'page' : undefined}>
                {item.name}
              </Link>
            ))}
          </nav>
          <form
            role="search"
            className="search-bar"
            onSubmit={(event) => {
              event.preventDefault();
              const params = new URLSearchParams();
              if (category) params.set('category', category);
              if (draft.trim()) params.set('q', draft.trim());
              navigate(`/shop${params.size > 0 ? `?${params.toString()}` : ''}`);
            }}
          >
            <label htmlFor="product-search" className="visually-hidden">
              Search products
            </label>
            <input id="product-search" type="search" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Search products" />
            <button type="submit" className="button secondary">
              Search
            </button>
          </form>
        </div>
        {status && (
          <p className="success-banner" role="status">
            {status} <Link to="/shop/cart">View your cart</Link>
          </p>
        )}
        {products.loading && !products.data && <Loading label="Loading products…" />}
        {products.error !== undefined && <ErrorPanel error={products.error} onRetry={products.reload} />}
        {products.data && products.data.products.length === 0 && (
          <p className="empty" role="status">
            No products {text ? `match “${text}”` : 'in this category'}.
          </p>
        )}
        {products.data && products.data.products.length > 0 && (
          <ul className="product-grid" aria-label="Products">
            {products.data.products.map((product) => (
              <li key={product.id} className="card product-card">
                <p className="muted small">{categoryLabel(product.category)}</p>
                <h2 className="product-name">
                  <Link to={`/shop/products/${encodeURIComponent(product.id)}`}>{product.name}</Link>
                </h2>
                <p className="small muted">{product.description}</p>
                <ProductBadges product={product} />
                <div className="product-buy">
                  <Price priceMinor={product.priceMinor} listPriceMinor={product.listPriceMinor} />
                  <AddToCart product={product} cart={cart.data} onCart={onCart} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Page>
  );
}

export function ProductPage({ productId }: { productId: string }) {
  const { state } = useSession();
  const signedIn = state.status === 'signed_in';
  const product = useResource(() => storeApi.product(productId), [productId]);
  const cart = useResource(() => (signedIn ? storeApi.cart() : Promise.resolve(undefined)), [signedIn]);
  const [status, setStatus] = useState<string | null>(null);
  const item = product.data;
  return (
    <Page title={item?.name ?? 'Product'} lead={item ? categoryLabel(item.category) : undefined} actions={signedIn ? <CartLink cart={cart.data} /> : undefined}>
      <p>
        <Link to="/shop">Back to the shop</Link>
      </p>
      {product.loading && !item && <Loading label="Loading the product…" />}
      {product.error !== undefined && <ErrorPanel error={product.error} onRetry={product.reload} />}
      {item && (
        <div className="card stack">
          {status && (
            <p className="success-banner" role="status">
              {status} <Link to="/shop/cart">View your cart</Link>
            </p>
          )}
          <p className="product-price-large">
            <Price priceMinor={item.priceMinor} listPriceMinor={item.listPriceMinor} />
            {item.listPriceMinor > item.priceMinor && <span className="badge success">Save {Math.round(((item.listPriceMinor - item.priceMinor) * 100) / item.listPriceMinor)}%</span>}
          </p>
          <p>{item.description}</p>
          <ProductBadges product={item} />
          <dl className="facts">
            <div>
              <dt>SKU</dt>
              <dd className="mono">{item.sku}</dd>
            </div>
            <div>
              <dt>Credits</dt>
              <dd>{item.earnsCredits && !item.giftCard ? 'Earns credits on what you pay in money' : 'Does not earn credits'}</dd>
            </div>
            <div>
              <dt>Availability</dt>
              <dd>{item.stock > 0 ? `In stock (${item.stock})` : 'Sold out'}</dd>
            </div>
            {item.serialNumbered && (
              <div>
                <dt>Warranty</dt>
                <dd>Registered by serial number</dd>
              </div>
            )}
          </dl>
          <AddToCart
            product={item}
            cart={cart.data}
            onCart={(updated, message) => {
              cart.set(updated);
              setStatus(message);
            }}
          />
        </div>
      )}
    </Page>
  );
}
