// /account/returns, /account/returns/new and /account/returns/:caseId: the member's returns and claims (AS-1, AS-12):
// the list with each case's state; the refund & exchange form with the purchase picked from the member's orders or
// reward redemptions (or an Amazon order typed in); and the status page with the decision, timeline, photos, the
// answer box when we asked for information, and cancel.
import { useState } from 'react';
import { aftersalesApi, refusalTexts, type CaseInput, type CustomerCase, type Marketplace } from '../../api/aftersales.ts';
import { ApiError, newIdempotencyKey } from '../../api/client.ts';
import { storeApi, type Order, type Redemption } from '../../api/store.ts';
import { CaseStateBadge, CaseStatus, kindLabels, normalizeSerial } from '../../components/aftersales.tsx';
import {
  CaseRequestFields,
  MarketplaceField,
  PurchaseSourceField,
  RefusalPanel,
  amazonOrderPattern,
  draftProblems,
  draftRemedy,
  emptyDraft,
  type CaseDraft,
  type PurchaseSource,
} from '../../components/case-form.tsx';
import { ErrorSummary, FormInvalid, SelectField, SubmitButton, TextField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDate } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';

const casePath = (caseId: string) => `/account/returns/${encodeURIComponent(caseId)}`;

export function ReturnsPage() {
  const list = useResource(() => aftersalesApi.myCases(), []);
  const cases = list.data?.cases ?? [];
  return (
    <Page
      title="Returns & claims"
      lead="Returns, exchanges, warranty claims, damage reports and technical support for what you bought."
      actions={
        <Link to="/account/returns/new" className="button primary nowrap">
          Start a return or claim
        </Link>
      }
    >
      {list.loading && !list.data && <Loading label="Loading your requests…" />}
      {list.error !== undefined && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {list.data && cases.length === 0 && (
        <div className="card stack-small">
          <p>You have no returns or claims.</p>
          <p className="small muted">30-day returns for any reason, an 18-month warranty (longer for annual Plus members) and lifetime technical support.</p>
          <p>
            <Link to="/account/returns/new">Start a return or claim</Link>
          </p>
        </div>
      )}
      {cases.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Your returns and claims, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">Order</th>
                  <th scope="col">Opened</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {cases.map((item) => (
                  <tr key={item.id}>
                    <td>
                      <Link to={casePath(item.id)}>{kindLabels[item.kind]}</Link>
                      <div className="muted small mono">{item.productSku ?? item.id}</div>
                    </td>
                    <td className="mono small">{item.orderRef}</td>
                    <td className="nowrap">{formatDate(item.createdAt)}</td>
                    <td>
                      <CaseStateBadge state={item.state} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Page>
  );
}

/** Orders a request can be about: paid ones (support and warranty do not wait for delivery; the rules decide). */
const requestable = (order: Order) => order.status === 'paid' || order.status === 'shipped' || order.status === 'delivered';

function orderLabel(order: Order): string {
  const first = order.lines[0]?.name ?? 'Order';
  const name = order.lines.length > 1 ? `${first} and ${order.lines.length - 1} more` : first;
  return `${name} · ${formatDate(order.placedAt)} · ${order.status}`;
}

function redemptionLabel(redemption: Redemption): string {
  return `${redemption.name} · redeemed ${formatDate(redemption.createdAt)}`;
}

export function NewReturnPage() {
  const { search } = useLocation();
  const orders = useResource(() => storeApi.orders(), []);
  const redemptions = useResource(() => storeApi.redemptions(), []);
  const form = useForm({ codeFields: { payload_too_large: 'images' } });
  const [source, setSource] = useState<PurchaseSource>(search.get('redemption') ? 'redemption' : 'store');
  const [orderId, setOrderId] = useState(search.get('order') ?? '');
  const [lineId, setLineId] = useState(search.get('line') ?? '');
  const [redemptionId, setRedemptionId] = useState(search.get('redemption') ?? '');
  const [marketplace, setMarketplace] = useState<Marketplace>('US');
  const [amazonOrder, setAmazonOrder] = useState('');
  const [amazonSku, setAmazonSku] = useState('');
  const [draft, setDraft] = useState<CaseDraft>(emptyDraft);
  const [refusal, setRefusal] = useState<{ message: string; texts: string[] } | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  // An order picked from the orders page may be older than the first page of the list: it is read on its own.
  const preselected = search.get('order') ?? '';
  const missing = preselected !== '' && orders.data !== undefined && !orders.data.orders.some((item) => item.id === preselected);
  const older = useResource(() => (missing ? storeApi.order(preselected) : Promise.resolve(null)), [preselected, missing]);
  const orderList = [...(orders.data?.orders ?? []), ...(older.data ? [older.data] : [])].filter(requestable);
  const order = orderList.find((item) => item.id === orderId);
  const lines = order?.lines.filter((line) => !line.giftCard) ?? [];
  const line = lines.length === 1 ? lines[0] : lines.find((item) => item.id === lineId);
  const redemptionList = redemptions.data?.redemptions ?? [];
  const redemption = redemptionList.find((item) => item.id === redemptionId);

  const submit = async () => {
    setRefusal(null);
    const fields = draftProblems(draft, source);
    let input: CaseInput;
    const common = { kind: draft.kind as CaseInput['kind'], remedy: draftRemedy(draft), reason: draft.reason as CaseInput['reason'], serial: normalizeSerial(draft.serial) || null, details: draft.details.trim() };
    if (source === 'store') {
      if (!order) fields.orderId = 'Choose the order.';
      else if (!line) fields.lineId = 'Choose the product.';
      input = { ...common, orderRef: order?.id ?? '', orderLineId: line?.id ?? null, productSku: line?.sku };
    } else if (source === 'redemption') {
      if (!redemption) fields.redemptionId = 'Choose the reward.';
      input = { ...common, orderRef: redemption?.id ?? '', orderLineId: null, productSku: redemption?.sku };
    } else {
      const typed = amazonOrder.trim();
      if (!amazonOrderPattern.test(typed)) fields.orderRef = 'Enter the Amazon order ID as it appears in your Amazon order history: 3, 7 and 7 digits, like 112-1234567-1234567.';
      if (amazonSku.trim() === '') fields.productSku = 'Enter the product name or model number.';
      input = { ...common, marketplace, orderRef: typed, orderLineId: null, productSku: amazonSku.trim() };
    }
    if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
    try {
      const opened = await aftersalesApi.openCase(input, draft.files, idempotencyKey, { orderLineId: 'lineId' });
      navigate(`${casePath(opened.id)}?opened=1`);
    } catch (error) {
      // An answered request is settled: the next attempt is a new request with a new key.
      if (error instanceof ApiError && error.status !== 0) setIdempotencyKey(newIdempotencyKey());
      if (error instanceof ApiError && error.code === 'not_eligible') {
        setRefusal({ message: error.message, texts: refusalTexts(error) });
        return;
      }
      throw error;
    }
  };

  const loading = (orders.loading && !orders.data) || (redemptions.loading && !redemptions.data);
  return (
    <Page title="Start a return or claim" lead="30-day returns for any reason, an 18-month warranty and lifetime technical support." actions={<Link to="/account/returns" className="button secondary">Your requests</Link>}>
      {loading && <Loading label="Loading your purchases…" />}
      {orders.error !== undefined && <ErrorPanel error={orders.error} onRetry={orders.reload} />}
      {redemptions.error !== undefined && <ErrorPanel error={redemptions.error} onRetry={redemptions.reload} />}
      {!loading && (
        <form className="card stack case-form" noValidate aria-labelledby="case-form-title" onSubmit={form.handle(submit)}>
          <h2 id="case-form-title" className="visually-hidden">
            Your request
          </h2>
          {refusal && <RefusalPanel message={refusal.message} texts={refusal.texts} />}
          <ErrorSummary form={form} title="Your request was not sent" />
          <PurchaseSourceField
            form={form}
            value={source}
            onValue={setSource}
            options={[
              { value: 'store', label: 'An order from our store' },
              { value: 'redemption', label: 'A reward I redeemed with credits' },
              { value: 'marketplace', label: 'Bought on Amazon' },
            ]}
          />
          {source === 'store' &&
            (orderList.length === 0 ? (
              <p className="notice">You have no paid orders yet. Bought on Amazon? Choose “Bought on Amazon” above.</p>
            ) : (
              <div className="field-row">
                <SelectField
                  form={form}
                  name="orderId"
                  label="Order"
                  value={orderId}
                  onValue={(value) => {
                    setOrderId(value);
                    setLineId('');
                  }}
                  options={orderList.map((item) => ({ value: item.id, label: orderLabel(item) }))}
                  placeholder="Choose an order"
                />
                {order && lines.length > 1 && (
                  <SelectField form={form} name="lineId" label="Product" value={lineId} onValue={setLineId} options={lines.map((item) => ({ value: item.id, label: `${item.name} (${item.sku})${item.quantity > 1 ? ` × ${item.quantity}` : ''}` }))} placeholder="Choose the product" />
                )}
                {order && lines.length === 1 && (
                  <div className="field">
                    <span className="field-label">Product</span>
                    <p className="static-value">
                      {lines[0]!.name} <span className="mono muted small">{lines[0]!.sku}</span>
                    </p>
                  </div>
                )}
              </div>
            ))}
          {source === 'redemption' &&
            (redemptionList.length === 0 ? (
              <p className="notice">You have not redeemed any rewards.</p>
            ) : (
              <SelectField form={form} name="redemptionId" label="Reward" value={redemptionId} onValue={setRedemptionId} options={redemptionList.map((item) => ({ value: item.id, label: redemptionLabel(item) }))} placeholder="Choose a reward" />
            ))}
          {source === 'marketplace' && (
            <div className="field-row">
              <MarketplaceField form={form} value={marketplace} onValue={setMarketplace} />
              <TextField form={form} name="orderRef" label="Amazon order ID" hint="In your Amazon account's order history, like 112-1234567-1234567." inputMode="numeric" autoComplete="off" spellCheck={false} value={amazonOrder} onValue={setAmazonOrder} />
              <TextField form={form} name="productSku" label="Product" hint="The name or model number, from the order history or the packaging." value={amazonSku} onValue={setAmazonSku} />
            </div>
          )}
          <CaseRequestFields form={form} source={source} draft={draft} onDraft={setDraft} />
          <div className="actions">
            <SubmitButton form={form} busyText="Sending…">
              Send request
            </SubmitButton>
            <Link to="/account/returns" className="button secondary">
              Cancel
            </Link>
          </div>
        </form>
      )}
    </Page>
  );
}

function openedMessage(data: CustomerCase): string {
  if (data.decision.outcome === 'auto_approved') return 'Your request is approved at once: no questions asked. We emailed you the next steps.';
  return 'Thank you: your request is sent. We emailed you a copy and will let you know at each step.';
}

export function ReturnPage({ caseId }: { caseId: string }) {
  const { search } = useLocation();
  const item = useResource(() => aftersalesApi.myCase(caseId), [caseId]);
  const data = item.data;
  return (
    <Page title={data ? kindLabels[data.kind] : 'Your request'} lead={data ? `Opened ${formatDate(data.createdAt)}` : undefined} actions={<Link to="/account/returns" className="button secondary">All requests</Link>}>
      {item.loading && !data && <Loading label="Loading your request…" />}
      {item.error !== undefined && <ErrorPanel error={item.error} onRetry={item.reload} />}
      {data && (
        <>
          {search.get('opened') === '1' && (
            <p className="success-banner" role="status">
              {openedMessage(data)}
            </p>
          )}
          <CaseStatus
            data={data}
            onChange={(updated) => {
              item.set(updated);
              // The "request sent" banner is about the first visit; after an answer or a cancel, that message leads.
              if (search.get('opened') === '1') navigate(casePath(caseId), { replace: true });
            }}
            actions={{
              loadImage: (imageId) => aftersalesApi.myImage(caseId, imageId),
              answer: (message, images) => aftersalesApi.answer(caseId, message, images),
              cancel: () => aftersalesApi.cancel(caseId),
            }}
          />
        </>
      )}
    </Page>
  );
}
