// /console/external-orders: orders placed outside the store (ST-7): Amazon (US, UK, CA, ES, IT, FR, DE) or another
// storefront, recorded for after-sales. They never earn credits. A malformed Amazon order ID is refused by the
// server with a message that says what a right one looks like, shown next to the field.
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { amazonMarketplaces, externalCurrencies, externalSources, storeApi, type ExternalOrder, type ExternalOrderItem } from '../../api/store.ts';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDate, formatDateTime, parseMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

const sourceLabels: Record<(typeof externalSources)[number], string> = { amazon: 'Amazon', storefront: 'Another storefront' };
const sourceOptions = externalSources.map((value) => ({ value, label: sourceLabels[value] }));
const marketplaceOptions = amazonMarketplaces.map((value) => ({ value, label: `Amazon ${value}` }));
const currencyOptions = externalCurrencies.map((value) => ({ value, label: value }));

interface ItemDraft {
  name: string;
  sku: string;
  quantity: string;
  serialNumber: string;
}

const emptyItem: ItemDraft = { name: '', sku: '', quantity: '1', serialNumber: '' };

function formatAmount(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
}

function RecordForm({ onRecorded }: { onRecorded: (order: ExternalOrder) => void }) {
  const form = useForm({ codeFields: { already_exists: 'externalOrderId' } });
  const [source, setSource] = useState('amazon');
  const [marketplace, setMarketplace] = useState('US');
  const [externalOrderId, setExternalOrderId] = useState('');
  const [purchasedOn, setPurchasedOn] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [total, setTotal] = useState('');
  const [memberId, setMemberId] = useState('');
  const [email, setEmail] = useState('');
  const [items, setItems] = useState<ItemDraft[]>([emptyItem]);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const setItem = (index: number, change: Partial<ItemDraft>) => setItems((current) => current.map((item, i) => (i === index ? { ...item, ...change } : item)));

  return (
    <section className="card" aria-labelledby="record-title">
      <h2 id="record-title">Record an external order</h2>
      <p className="muted">For returns and warranty claims. External orders never earn credits.</p>
      <form
        className="stack"
        noValidate
        onSubmit={form.handle(async () => {
          const totalMinor = parseMoney(total);
          const rules: Array<[string, boolean, string]> = [
            ['externalOrderId', externalOrderId.trim() === '', 'Enter the order ID from the marketplace or storefront.'],
            ['purchasedAt', !/^\d{4}-\d{2}-\d{2}$/.test(purchasedOn), 'Enter the purchase date.'],
            ['totalMinor', totalMinor === null, 'Enter the order total, like 59.99.'],
            ['customerEmail', email.trim() !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()), 'Enter an email address like name@example.com, or leave it empty.'],
          ];
          items.forEach((item, index) => {
            rules.push([`items.${index}.name`, item.name.trim() === '', 'Enter the item name.']);
            rules.push([`items.${index}.quantity`, !/^\d{1,3}$/.test(item.quantity.trim()) || Number(item.quantity) < 1, 'Enter a quantity from 1 to 999.']);
          });
          check(rules);
          const recorded = await storeApi.recordExternalOrder(
            {
              source: source as ExternalOrder['source'],
              marketplace: source === 'amazon' ? (marketplace as (typeof amazonMarketplaces)[number]) : undefined,
              externalOrderId: externalOrderId.trim(),
              memberId: memberId.trim() || null,
              customerEmail: email.trim() || null,
              // The start of that day where the agent is: never in the future for a date up to today.
              purchasedAt: new Date(`${purchasedOn}T00:00:00`).toISOString(),
              currency: currency as (typeof externalCurrencies)[number],
              totalMinor: totalMinor!,
              items: items.map((item): ExternalOrderItem => ({
                name: item.name.trim(),
                quantity: Number(item.quantity),
                ...(item.sku.trim() ? { sku: item.sku.trim() } : {}),
                ...(item.serialNumber.trim() ? { serialNumber: item.serialNumber.trim() } : {}),
              })),
            },
            idempotencyKey,
          );
          setIdempotencyKey(newIdempotencyKey());
          setExternalOrderId('');
          setTotal('');
          setMemberId('');
          setEmail('');
          setItems([emptyItem]);
          onRecorded(recorded);
        })}
      >
        <ErrorSummary form={form} title="The order was not recorded" />
        <div className="field-row">
          <SelectField form={form} name="source" label="Where it was bought" value={source} onValue={setSource} options={sourceOptions} />
          {source === 'amazon' && <SelectField form={form} name="marketplace" label="Amazon marketplace" value={marketplace} onValue={setMarketplace} options={marketplaceOptions} />}
          <TextField
            form={form}
            name="externalOrderId"
            label={source === 'amazon' ? 'Amazon order ID' : 'Storefront order ID'}
            value={externalOrderId}
            onValue={setExternalOrderId}
            spellCheck={false}
            autoComplete="off"
            hint={source === 'amazon' ? 'Like 113-1234567-1234567.' : undefined}
          />
        </div>
        <div className="field-row">
          <TextField form={form} name="purchasedAt" label="Purchase date" type="date" value={purchasedOn} onValue={setPurchasedOn} />
          <SelectField form={form} name="currency" label="Currency" value={currency} onValue={setCurrency} options={currencyOptions} />
          <TextField form={form} name="totalMinor" label="Order total" inputMode="decimal" value={total} onValue={setTotal} />
        </div>
        <div className="field-row">
          <TextField form={form} name="memberId" label="Member ID" optional value={memberId} onValue={setMemberId} placeholder="mem_…" spellCheck={false} />
          <TextField form={form} name="customerEmail" label="Customer email" optional type="email" value={email} onValue={setEmail} />
        </div>
        <fieldset className="stack-small item-list">
          <legend>Items</legend>
          {items.map((item, index) => (
            <div className="field-row" key={index}>
              <TextField form={form} name={`items.${index}.name`} label={`Item ${index + 1} name`} value={item.name} onValue={(name) => setItem(index, { name })} />
              <TextField form={form} name={`items.${index}.sku`} label={`Item ${index + 1} SKU`} optional value={item.sku} onValue={(sku) => setItem(index, { sku })} spellCheck={false} />
              <TextField form={form} name={`items.${index}.quantity`} label={`Item ${index + 1} quantity`} inputMode="numeric" value={item.quantity} onValue={(quantity) => setItem(index, { quantity })} />
              <TextField form={form} name={`items.${index}.serialNumber`} label={`Item ${index + 1} serial number`} optional value={item.serialNumber} onValue={(serialNumber) => setItem(index, { serialNumber })} spellCheck={false} />
            </div>
          ))}
          <div className="row-actions">
            <button type="button" className="button secondary small" onClick={() => setItems((current) => [...current, emptyItem])} disabled={items.length >= 100}>
              Add an item
            </button>
            {items.length > 1 && (
              <button type="button" className="button link-button small" onClick={() => setItems((current) => current.slice(0, -1))}>
                Remove the last item
              </button>
            )}
          </div>
        </fieldset>
        <div className="actions">
          <SubmitButton form={form} busyText="Recording…">
            Record order
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

export function ExternalOrdersPage() {
  const [generation, setGeneration] = useState(0);
  const orders = useResource(() => storeApi.externalOrders(), [generation]);
  const [status, setStatus] = useState<string | null>(null);
  return (
    <Page title="External orders" lead="Marketplace and storefront orders kept for after-sales.">
      <div className="stack-large">
        {status && <StatusMessage>{status}</StatusMessage>}
        <RecordForm
          onRecorded={(order) => {
            setStatus(`Recorded ${sourceLabels[order.source]} order ${order.externalOrderId}.`);
            setGeneration((value) => value + 1);
          }}
        />
        <section className="card flush" aria-labelledby="external-list-title">
          <h2 id="external-list-title" className="card-title">
            Recorded orders
          </h2>
          {orders.loading && !orders.data && <Loading label="Loading external orders…" />}
          {orders.error !== undefined && <ErrorPanel error={orders.error} onRetry={orders.reload} />}
          {orders.data && orders.data.externalOrders.length === 0 && <p className="empty">No external orders recorded yet.</p>}
          {orders.data && orders.data.externalOrders.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">External orders, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Order ID</th>
                    <th scope="col">Source</th>
                    <th scope="col">Purchased</th>
                    <th scope="col">Items</th>
                    <th scope="col">Member or customer</th>
                    <th scope="col" className="numeric">
                      Total
                    </th>
                    <th scope="col">Recorded</th>
                  </tr>
                </thead>
                <tbody>
                  {orders.data.externalOrders.map((order) => (
                    <tr key={order.id}>
                      <td className="mono">{order.externalOrderId}</td>
                      <td>{order.source === 'amazon' ? `Amazon ${order.marketplace ?? ''}` : 'Storefront'}</td>
                      <td className="nowrap">{formatDate(order.purchasedAt)}</td>
                      <td className="small">
                        {order.items.map((item, index) => (
                          <div key={index}>
                            {item.quantity} × {item.name}
                            {item.serialNumber && <span className="muted mono"> · S/N {item.serialNumber}</span>}
                          </div>
                        ))}
                      </td>
                      <td className="small">
                        {order.memberId ? (
                          <Link to={`/console/members/${encodeURIComponent(order.memberId)}`} className="mono">
                            {order.memberId}
                          </Link>
                        ) : (
                          (order.customerEmail ?? '—')
                        )}
                      </td>
                      <td className="numeric">{formatAmount(order.totalMinor, order.currency)}</td>
                      <td className="nowrap small">{formatDateTime(order.recordedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </Page>
  );
}
