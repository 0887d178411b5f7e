// /console/catalog and /console/catalog/rewards: the product catalog (ST-1) and the rewards catalog (CR-13) for
// agents: every item, archived ones too; add one; change price, list price, stock, flags and status.
import { Fragment, useState, type ReactNode } from 'react';
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

/** The fields of an item's form, bound to its draft. */
interface FieldsProps<Draft> {
  form: ReturnType<typeof useForm>;
  draft: Draft;
  set: (change: Partial<Draft>) => void;
  creating: boolean;
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

function ProductFields({ form, draft, set, creating }: FieldsProps<ProductDraft>) {
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
      <TextAreaField form={form} name="description" label="Description" optional rows={2} value={draft.description} onValue={(description) => set({ description })} />
    </>
  );
}


function flagsOf(product: Product): string {
  const flags = [product.earnsCredits && !product.giftCard ? 'earns' : 'no credits', product.giftCard && 'gift card', product.plusBonus && 'Plus bonus', product.serialNumbered && 'serial'];
  return flags.filter(Boolean).join(' · ');
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

function RewardFields({ form, draft, set, creating }: FieldsProps<RewardDraft>) {
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


/** What the products and the rewards have in common, for the catalog's list and forms. */
interface CatalogItem {
  id: string;
  sku: string;
  name: string;
  status: string;
}

/** One column of a catalog's table, between the item's name and its status. */
interface CatalogColumn<Item> {
  header: string;
  numeric?: boolean;
  small?: boolean;
  cell: (item: Item) => ReactNode;
}

/** What differs between the product catalog and the rewards catalog: their nouns, table columns, form and API calls. */
interface CatalogKind<Item extends CatalogItem, Draft extends { sku: string }, Values extends Partial<Item>> {
  /** Lowercase: "product". */
  noun: string;
  plural: string;
  columns: ReadonlyArray<CatalogColumn<Item>>;
  emptyDraft: Draft;
  draftOf: (item: Item) => Draft;
  /** Checks a draft and turns it into the item's values; throws FormInvalid with every problem. */
  read: (draft: Draft, creating: boolean) => Values;
  Fields: (props: FieldsProps<Draft>) => ReactNode;
  load: () => Promise<Item[]>;
  create: (input: Values & { sku: string }) => Promise<Item>;
  change: (id: string, patch: Partial<Values>) => Promise<Item>;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function NewItem<Item extends CatalogItem, Draft extends { sku: string }, Values extends Partial<Item>>({ kind, onCreated }: { kind: CatalogKind<Item, Draft, Values>; onCreated: (item: Item) => void }) {
  const form = useForm({ codeFields: { already_exists: 'sku' } });
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(kind.emptyDraft);
  const set = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  if (!open) {
    return (
      <button type="button" className="button primary" onClick={() => setOpen(true)}>
        Add a {kind.noun}
      </button>
    );
  }
  return (
    <section className="card" aria-labelledby={`new-${kind.noun}-title`}>
      <h2 id={`new-${kind.noun}-title`}>New {kind.noun}</h2>
      <form
        className="stack"
        noValidate
        onSubmit={form.handle(async () => {
          const values = kind.read(draft, true);
          const created = await kind.create({ sku: draft.sku.trim().toUpperCase(), ...values });
          setDraft(kind.emptyDraft);
          setOpen(false);
          onCreated(created);
        })}
      >
        <ErrorSummary form={form} />
        <kind.Fields form={form} draft={draft} set={set} creating />
        <div className="actions">
          <SubmitButton form={form} busyText="Adding…">
            Add {kind.noun}
          </SubmitButton>
          <button type="button" className="button secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function EditItem<Item extends CatalogItem, Draft extends { sku: string }, Values extends Partial<Item>>({ kind, item, onSaved, onClose }: { kind: CatalogKind<Item, Draft, Values>; item: Item; onSaved: (item: Item) => void; onClose: () => void }) {
  const form = useForm();
  const [draft, setDraft] = useState(() => kind.draftOf(item));
  const set = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  return (
    <form
      className="stack edit-panel"
      noValidate
      aria-label={`Edit ${item.name}`}
      onSubmit={form.handle(async () => {
        const patch = changedValues(item, kind.read(draft, false));
        onSaved(Object.keys(patch).length > 0 ? await kind.change(item.id, patch) : item);
      })}
    >
      <ErrorSummary form={form} />
      <kind.Fields form={form} draft={draft} set={set} creating={false} />
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

/** A catalog's page: add an item, and every item (archived ones too) with its row's editor. */
function CatalogPage<Item extends CatalogItem, Draft extends { sku: string }, Values extends Partial<Item>>({ kind }: { kind: CatalogKind<Item, Draft, Values> }) {
  const items = useResource(() => kind.load(), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const replace = (item: Item) => {
    if (items.data) items.set(withItem(items.data, item));
  };
  return (
    <Page title="Catalog" lead="Products on sale and the rewards members buy with credits.">
      <CatalogTabs />
      <div className="stack-large">
        {status && <StatusMessage>{status}</StatusMessage>}
        <NewItem
          kind={kind}
          onCreated={(item) => {
            replace(item);
            setStatus(`Added ${item.name} (${item.sku}).`);
          }}
        />
        {items.loading && !items.data && <Loading label={`Loading ${kind.plural}…`} />}
        {items.error !== undefined && <ErrorPanel error={items.error} onRetry={items.reload} />}
        {items.data && (
          <div className="card flush">
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">{`${capitalized(kind.plural)}, archived ones too`}</caption>
                <thead>
                  <tr>
                    <th scope="col">{capitalized(kind.noun)}</th>
                    {kind.columns.map((column) => (
                      <th key={column.header} scope="col" className={column.numeric ? 'numeric' : undefined}>
                        {column.header}
                      </th>
                    ))}
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.data.map((item) => (
                    <Fragment key={item.id}>
                      <tr>
                        <td>
                          {item.name}
                          <div className="muted small mono">{item.sku}</div>
                        </td>
                        {kind.columns.map((column) => (
                          <td key={column.header} className={column.numeric ? 'numeric' : column.small ? 'small' : undefined}>
                            {column.cell(item)}
                          </td>
                        ))}
                        <td>
                          <span className={item.status === 'active' ? 'badge success' : 'badge'}>{item.status}</span>
                        </td>
                        <td className="cell-actions">
                          <button type="button" className="button secondary small" aria-expanded={editing === item.id} onClick={() => setEditing(editing === item.id ? null : item.id)}>
                            Edit<span className="visually-hidden"> {item.name}</span>
                          </button>
                        </td>
                      </tr>
                      {editing === item.id && (
                        <tr>
                          <td colSpan={kind.columns.length + 3}>
                            <EditItem
                              kind={kind}
                              item={item}
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

const products: CatalogKind<Product, ProductDraft, ReturnType<typeof readProduct>> = {
  noun: 'product',
  plural: 'products',
  columns: [
    { header: 'Category', cell: (product) => categoryLabel(product.category) },
    { header: 'Price', numeric: true, cell: (product) => <Price priceMinor={product.priceMinor} listPriceMinor={product.listPriceMinor} /> },
    { header: 'Stock', numeric: true, cell: (product) => product.stock },
    { header: 'Flags', small: true, cell: flagsOf },
  ],
  emptyDraft: emptyProduct,
  draftOf,
  read: readProduct,
  Fields: ProductFields,
  load: async () => (await storeApi.agentProducts()).products,
  create: (input) => storeApi.createProduct(input),
  change: (id, patch: ProductPatch) => storeApi.changeProduct(id, patch),
};

export function CatalogProductsPage() {
  return <CatalogPage kind={products} />;
}

const rewards: CatalogKind<Reward, RewardDraft, ReturnType<typeof readReward>> = {
  noun: 'reward',
  plural: 'rewards',
  columns: [
    { header: 'Credits', numeric: true, cell: (reward) => formatCredits(reward.creditsPrice) },
    { header: 'Stock', numeric: true, cell: (reward) => reward.stock },
    { header: 'Limit per member', numeric: true, cell: (reward) => reward.perMemberLimit ?? 'No limit' },
    { header: 'Shipping fee', numeric: true, cell: (reward) => (reward.shippingFeeMinor > 0 ? formatMoney(reward.shippingFeeMinor) : 'Free') },
  ],
  emptyDraft: emptyReward,
  draftOf: rewardDraftOf,
  read: readReward,
  Fields: RewardFields,
  load: async () => (await storeApi.agentRewards()).rewards,
  create: (input) => storeApi.createReward(input),
  change: (id, patch: RewardPatch) => storeApi.changeReward(id, patch),
};

export function CatalogRewardsPage() {
  return <CatalogPage kind={rewards} />;
}
