// /console/catalog and /console/catalog/rewards: the product catalog (ST-1) and the rewards catalog (CR-13) for
// agents: every item, archived ones too; add one; change price, list price, stock, flags and status.
import { Fragment, useState } from 'react';
import { productCategories, storeApi, type Product, type ProductCategory, type ProductPatch, type Reward, type RewardPatch } from '../../api/store.ts';
import { CheckboxField, ErrorSummary, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { Price, categoryLabel, categoryLabels } from '../../components/store.tsx';
import { formatCredits, formatMoney, moneyInputValue, parseMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { NavLink } from '../../router.tsx';

const categoryOptions = productCategories.map((value) => ({ value, label: categoryLabels[value] }));
const statusOptions = [
  { value: 'active', label: 'Active: on sale' },
  { value: 'archived', label: 'Archived: hidden from shoppers' },
];

export function CatalogTabs() {
  return (
    <nav className="tabs" aria-label="Catalog">
      <NavLink to="/console/catalog" exact>
        Products
      </NavLink>
      <NavLink to="/console/catalog/rewards">Rewards</NavLink>
    </nav>
  );
}

const wholeNumber = (text: string, max: number) => /^\d+$/.test(text.trim()) && Number(text) <= max;

/** The values of the form that differ from the item as saved: what an edit sends. */
function changedValues<Item, Values extends Partial<Item>>(item: Item, values: Values): Partial<Values> {
  return Object.fromEntries(Object.entries(values).filter(([key, value]) => item[key as keyof Item] !== value)) as Partial<Values>;
}

/** The list with `item` in place of the one with its ID, or first when it is new. */
function withItem<Item extends { id: string }>(list: Item[], item: Item): Item[] {
  return list.some((other) => other.id === item.id) ? list.map((other) => (other.id === item.id ? item : other)) : [item, ...list];
}

interface ProductDraft {
  sku: string;
  name: string;
  description: string;
  category: string;
  price: string;
  listPrice: string;
  stock: string;
  earnsCredits: boolean;
  giftCard: boolean;
  plusBonus: boolean;
  serialNumbered: boolean;
  status: string;
}

const emptyProduct: ProductDraft = {
  sku: '',
  name: '',
  description: '',
  category: '',
  price: '',
  listPrice: '',
  stock: '0',
  earnsCredits: true,
  giftCard: false,
  plusBonus: false,
  serialNumbered: false,
  status: 'active',
};

function draftOf(product: Product): ProductDraft {
  return {
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: product.category,
    price: moneyInputValue(product.priceMinor),
    listPrice: moneyInputValue(product.listPriceMinor),
    stock: String(product.stock),
    earnsCredits: product.earnsCredits,
    giftCard: product.giftCard,
    plusBonus: product.plusBonus,
    serialNumbered: product.serialNumbered,
    status: product.status,
  };
}

/** Checks a product draft and turns it into amounts in cents; throws FormInvalid with every problem. */
function readProduct(draft: ProductDraft, creating: boolean) {
  const priceMinor = parseMoney(draft.price);
  const listPriceMinor = draft.listPrice.trim() === '' ? priceMinor : parseMoney(draft.listPrice);
  check([
    ['sku', creating && !/^[A-Za-z0-9][A-Za-z0-9-]{1,39}$/.test(draft.sku.trim()), 'Enter a SKU of 2-40 letters, digits and dashes, like CH-65W-GAN.'],
    ['name', draft.name.trim() === '', 'Enter the product name.'],
    ['category', draft.category === '', 'Choose a category.'],
    ['priceMinor', priceMinor === null, 'Enter the price in dollars, like 49.99.'],
    ['listPriceMinor', listPriceMinor === null, 'Enter the list price in dollars, like 59.99, or leave it empty.'],
    ['listPriceMinor', priceMinor !== null && listPriceMinor !== null && listPriceMinor < priceMinor, 'The list price cannot be below the price.'],
    ['stock', !wholeNumber(draft.stock, 10_000_000), 'Enter the stock as a whole number.'],
  ]);
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    category: draft.category as ProductCategory,
    priceMinor: priceMinor!,
    listPriceMinor: listPriceMinor!,
    stock: Number(draft.stock),
    earnsCredits: draft.earnsCredits,
    giftCard: draft.giftCard,
    plusBonus: draft.plusBonus,
    serialNumbered: draft.serialNumbered,
    status: draft.status as 'active' | 'archived',
  };
}

function ProductFields({ form, draft, set, creating }: { form: ReturnType<typeof useForm>; draft: ProductDraft; set: (change: Partial<ProductDraft>) => void; creating: boolean }) {
  return (
    <>
      <div className="field-row">
        {creating && <TextField form={form} name="sku" label="SKU" value={draft.sku} onValue={(sku) => set({ sku })} spellCheck={false} autoComplete="off" />}
        <TextField form={form} name="name" label="Name" value={draft.name} onValue={(name) => set({ name })} />
        <SelectField form={form} name="category" label="Category" value={draft.category} onValue={(category) => set({ category })} options={categoryOptions} placeholder="Choose a category" />
      </div>
      <div className="field-row">
        <TextField form={form} name="priceMinor" label="Price (USD)" inputMode="decimal" value={draft.price} onValue={(price) => set({ price })} />
        <TextField form={form} name="listPriceMinor" label="List price (USD)" optional inputMode="decimal" value={draft.listPrice} onValue={(listPrice) => set({ listPrice })} hint="Shown struck through when higher." />
        <TextField form={form} name="stock" label="Stock" inputMode="numeric" value={draft.stock} onValue={(stock) => set({ stock })} />
        <SelectField form={form} name="status" label="Status" value={draft.status} onValue={(status) => set({ status })} options={statusOptions} />
      </div>
      <fieldset className="checkbox-group">
        <legend>Flags</legend>
        <CheckboxField form={form} name="earnsCredits" label="Earns credits" checked={draft.earnsCredits} onChecked={(earnsCredits) => set({ earnsCredits })} />
        <CheckboxField form={form} name="giftCard" label="Gift card" hint="Never earns credits or takes them." checked={draft.giftCard} onChecked={(giftCard) => set({ giftCard })} />
        <CheckboxField form={form} name="plusBonus" label="Plus bonus" checked={draft.plusBonus} onChecked={(plusBonus) => set({ plusBonus })} />
        <CheckboxField form={form} name="serialNumbered" label="Serial-numbered" checked={draft.serialNumbered} onChecked={(serialNumbered) => set({ serialNumbered })} />
      </fieldset>
    </>
  );
}

function NewProduct({ onCreated }: { onCreated: (product: Product) => void }) {
  const form = useForm({ codeFields: { already_exists: 'sku' } });
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(emptyProduct);
  const set = (change: Partial<ProductDraft>) => setDraft((current) => ({ ...current, ...change }));
  if (!open) {
    return (
      <button type="button" className="button primary" onClick={() => setOpen(true)}>
        Add a product
      </button>
    );
  }
  return (
    <section className="card" aria-labelledby="new-product-title">
      <h2 id="new-product-title">New product</h2>
      <form
        className="stack"
        noValidate
        onSubmit={form.handle(async () => {
          const values = readProduct(draft, true);
          const created = await storeApi.createProduct({ sku: draft.sku.trim().toUpperCase(), ...values });
          setDraft(emptyProduct);
          setOpen(false);
          onCreated(created);
        })}
      >
        <ErrorSummary form={form} />
        <ProductFields form={form} draft={draft} set={set} creating />
        <TextAreaField form={form} name="description" label="Description" optional rows={2} value={draft.description} onValue={(description) => set({ description })} />
        <div className="actions">
          <SubmitButton form={form} busyText="Adding…">
            Add product
          </SubmitButton>
          <button type="button" className="button secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function EditProduct({ product, onSaved, onClose }: { product: Product; onSaved: (product: Product) => void; onClose: () => void }) {
  const form = useForm();
  const [draft, setDraft] = useState(() => draftOf(product));
  const set = (change: Partial<ProductDraft>) => setDraft((current) => ({ ...current, ...change }));
  return (
    <form
      className="stack edit-panel"
      noValidate
      aria-label={`Edit ${product.name}`}
      onSubmit={form.handle(async () => {
        const patch: ProductPatch = changedValues(product, readProduct(draft, false));
        onSaved(Object.keys(patch).length > 0 ? await storeApi.changeProduct(product.id, patch) : product);
      })}
    >
      <ErrorSummary form={form} />
      <ProductFields form={form} draft={draft} set={set} creating={false} />
      <TextAreaField form={form} name="description" label="Description" optional rows={2} value={draft.description} onValue={(description) => set({ description })} />
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…">
          Save changes
        </SubmitButton>
        <button type="button" className="button secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

function flagsOf(product: Product): string {
  const flags = [product.earnsCredits && !product.giftCard ? 'earns' : 'no credits', product.giftCard && 'gift card', product.plusBonus && 'Plus bonus', product.serialNumbered && 'serial'];
  return flags.filter(Boolean).join(' · ');
}

export function CatalogProductsPage() {
  const products = useResource(() => storeApi.agentProducts(), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const replace = (product: Product) => {
    if (products.data) products.set({ products: withItem(products.data.products, product) });
  };
  return (
    <Page title="Catalog" lead="Products on sale and the rewards members buy with credits.">
      <CatalogTabs />
      <div className="stack-large">
        {status && <StatusMessage>{status}</StatusMessage>}
        <NewProduct
          onCreated={(product) => {
            replace(product);
            setStatus(`Added ${product.name} (${product.sku}).`);
          }}
        />
        {products.loading && !products.data && <Loading label="Loading products…" />}
        {products.error !== undefined && <ErrorPanel error={products.error} onRetry={products.reload} />}
        {products.data && (
          <div className="card flush">
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Products, archived ones too</caption>
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">Category</th>
                    <th scope="col" className="numeric">
                      Price
                    </th>
                    <th scope="col" className="numeric">
                      Stock
                    </th>
                    <th scope="col">Flags</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {products.data.products.map((product) => (
                    <Fragment key={product.id}>
                      <tr>
                        <td>
                          {product.name}
                          <div className="muted small mono">{product.sku}</div>
                        </td>
                        <td>{categoryLabel(product.category)}</td>
                        <td className="numeric">
                          <Price priceMinor={product.priceMinor} listPriceMinor={product.listPriceMinor} />
                        </td>
                        <td className="numeric">{product.stock}</td>
                        <td className="small">{flagsOf(product)}</td>
                        <td>
                          <span className={product.status === 'active' ? 'badge success' : 'badge'}>{product.status}</span>
                        </td>
                        <td className="cell-actions">
                          <button
                            type="button"
                            className="button secondary small"
                            aria-expanded={editing === product.id}
                            onClick={() => setEditing(editing === product.id ? null : product.id)}
                          >
                            Edit<span className="visually-hidden"> {product.name}</span>
                          </button>
                        </td>
                      </tr>
                      {editing === product.id && (
                        <tr>
                          <td colSpan={7}>
                            <EditProduct
                              product={product}
                              onClose={() => setEditing(null)}
                              onSaved={(saved) => {
                                replace(saved);
                                setEditing(null);
                                setStatus(`Saved ${saved.name}.`);
                              }}
                            />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </div>
    </Page>
  );
}

interface RewardDraft {
  sku: string;
  name: string;
  description: string;
  creditsPrice: string;
  stock: string;
  perMemberLimit: string;
  shippingFee: string;
  status: string;
}

const emptyReward: RewardDraft = { sku: '', name: '', description: '', creditsPrice: '', stock: '0', perMemberLimit: '', shippingFee: '0.00', status: 'active' };

function rewardDraftOf(reward: Reward): RewardDraft {
  return {
    sku: reward.sku,
    name: reward.name,
    description: reward.description,
    creditsPrice: String(reward.creditsPrice),
    stock: String(reward.stock),
    perMemberLimit: reward.perMemberLimit === null ? '' : String(reward.perMemberLimit),
    shippingFee: moneyInputValue(reward.shippingFeeMinor),
    status: reward.status,
  };
}

function readReward(draft: RewardDraft, creating: boolean) {
  const shippingFeeMinor = draft.shippingFee.trim() === '' ? 0 : parseMoney(draft.shippingFee);
  const limitText = draft.perMemberLimit.trim();
  check([
    ['sku', creating && !/^[A-Za-z0-9][A-Za-z0-9-]{1,39}$/.test(draft.sku.trim()), 'Enter a SKU of 2-40 letters, digits and dashes, like RW-CABLE.'],
    ['name', draft.name.trim() === '', 'Enter the reward name.'],
    ['creditsPrice', !wholeNumber(draft.creditsPrice, 100_000_000) || Number(draft.creditsPrice) < 1, 'Enter the price in credits as a whole number of at least 1.'],
    ['stock', !wholeNumber(draft.stock, 10_000_000), 'Enter the stock as a whole number.'],
    ['perMemberLimit', limitText !== '' && (!wholeNumber(limitText, 1000) || Number(limitText) < 1), 'Enter a limit from 1 to 1,000, or leave it empty for no limit.'],
    ['shippingFeeMinor', shippingFeeMinor === null, 'Enter the shipping fee in dollars, like 4.99, or 0.'],
  ]);
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    creditsPrice: Number(draft.creditsPrice),
    stock: Number(draft.stock),
    perMemberLimit: limitText === '' ? null : Number(limitText),
    shippingFeeMinor: shippingFeeMinor!,
    status: draft.status as 'active' | 'archived',
  };
}

function RewardFields({ form, draft, set, creating }: { form: ReturnType<typeof useForm>; draft: RewardDraft; set: (change: Partial<RewardDraft>) => void; creating: boolean }) {
  return (
    <>
      <div className="field-row">
        {creating && <TextField form={form} name="sku" label="SKU" value={draft.sku} onValue={(sku) => set({ sku })} spellCheck={false} autoComplete="off" />}
        <TextField form={form} name="name" label="Name" value={draft.name} onValue={(name) => set({ name })} />
        <TextField form={form} name="creditsPrice" label="Price in credits" inputMode="numeric" value={draft.creditsPrice} onValue={(creditsPrice) => set({ creditsPrice })} />
      </div>
      <div className="field-row">
        <TextField form={form} name="stock" label="Stock" inputMode="numeric" value={draft.stock} onValue={(stock) => set({ stock })} />
        <TextField form={form} name="perMemberLimit" label="Limit per member" optional inputMode="numeric" value={draft.perMemberLimit} onValue={(perMemberLimit) => set({ perMemberLimit })} />
        <TextField form={form} name="shippingFeeMinor" label="Shipping fee (USD)" inputMode="decimal" value={draft.shippingFee} onValue={(shippingFee) => set({ shippingFee })} hint="Paid by card; 0 for free." />
        <SelectField form={form} name="status" label="Status" value={draft.status} onValue={(status) => set({ status })} options={statusOptions} />
      </div>
      <TextAreaField form={form} name="description" label="Description" optional rows={2} value={draft.description} onValue={(description) => set({ description })} />
    </>
  );
}

function NewReward({ onCreated }: { onCreated: (reward: Reward) => void }) {
  const form = useForm({ codeFields: { already_exists: 'sku' } });
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(emptyReward);
  const set = (change: Partial<RewardDraft>) => setDraft((current) => ({ ...current, ...change }));
  if (!open) {
    return (
      <button type="button" className="button primary" onClick={() => setOpen(true)}>
        Add a reward
      </button>
    );
  }
  return (
    <section className="card" aria-labelledby="new-reward-title">
      <h2 id="new-reward-title">New reward</h2>
      <form
        className="stack"
        noValidate
        onSubmit={form.handle(async () => {
          const values = readReward(draft, true);
          const created = await storeApi.createReward({ sku: draft.sku.trim().toUpperCase(), ...values });
          setDraft(emptyReward);
          setOpen(false);
          onCreated(created);
        })}
      >
        <ErrorSummary form={form} />
        <RewardFields form={form} draft={draft} set={set} creating />
        <div className="actions">
          <SubmitButton form={form} busyText="Adding…">
            Add reward
          </SubmitButton>
          <button type="button" className="button secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function EditReward({ reward, onSaved, onClose }: { reward: Reward; onSaved: (reward: Reward) => void; onClose: () => void }) {
  const form = useForm();
  const [draft, setDraft] = useState(() => rewardDraftOf(reward));
  const set = (change: Partial<RewardDraft>) => setDraft((current) => ({ ...current, ...change }));
  return (
    <form
      className="stack edit-panel"
      noValidate
      aria-label={`Edit ${reward.name}`}
      onSubmit={form.handle(async () => {
        const patch: RewardPatch = changedValues(reward, readReward(draft, false));
        onSaved(Object.keys(patch).length > 0 ? await storeApi.changeReward(reward.id, patch) : reward);
      })}
    >
      <ErrorSummary form={form} />
      <RewardFields form={form} draft={draft} set={set} creating={false} />
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…">
          Save changes
        </SubmitButton>
        <button type="button" className="button secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

export function CatalogRewardsPage() {
  const rewards = useResource(() => storeApi.agentRewards(), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const replace = (reward: Reward) => {
    if (rewards.data) rewards.set({ rewards: withItem(rewards.data.rewards, reward) });
  };
  return (
    <Page title="Catalog" lead="Products on sale and the rewards members buy with credits.">
      <CatalogTabs />
      <div className="stack-large">
        {status && <StatusMessage>{status}</StatusMessage>}
        <NewReward
          onCreated={(reward) => {
            replace(reward);
            setStatus(`Added ${reward.name} (${reward.sku}).`);
          }}
        />
        {rewards.loading && !rewards.data && <Loading label="Loading rewards…" />}
        {rewards.error !== undefined && <ErrorPanel error={rewards.error} onRetry={rewards.reload} />}
        {rewards.data && (
          <div className="card flush">
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Rewards, archived ones too</caption>
                <thead>
                  <tr>
                    <th scope="col">Reward</th>
                    <th scope="col" className="numeric">
                      Credits
                    </th>
                    <th scope="col" className="numeric">
                      Stock
                    </th>
                    <th scope="col" className="numeric">
                      Limit per member
                    </th>
                    <th scope="col" className="numeric">
                      Shipping fee
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rewards.data.rewards.map((reward) => (
                    <Fragment key={reward.id}>
                      <tr>
                        <td>
                          {reward.name}
                          <div className="muted small mono">{reward.sku}</div>
                        </td>
                        <td className="numeric">{formatCredits(reward.creditsPrice)}</td>
                        <td className="numeric">{reward.stock}</td>
                        <td className="numeric">{reward.perMemberLimit ?? 'No limit'}</td>
                        <td className="numeric">{reward.shippingFeeMinor > 0 ? formatMoney(reward.shippingFeeMinor) : 'Free'}</td>
                        <td>
                          <span className={reward.status === 'active' ? 'badge success' : 'badge'}>{reward.status}</span>
                        </td>
                        <td className="cell-actions">
                          <button type="button" className="button secondary small" aria-expanded={editing === reward.id} onClick={() => setEditing(editing === reward.id ? null : reward.id)}>
                            Edit<span className="visually-hidden"> {reward.name}</span>
                          </button>
                        </td>
                      </tr>
                      {editing === reward.id && (
                        <tr>
                          <td colSpan={7}>
                            <EditReward
                              reward={reward}
                              onClose={() => setEditing(null)}
                              onSaved={(saved) => {
                                replace(saved);
                                setEditing(null);
                                setStatus(`Saved ${saved.name}.`);
                              }}
                            />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </div>
    </Page>
  );
}
