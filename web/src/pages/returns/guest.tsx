// The public after-sales pages, no sign-in (AS-1, AS-12): /returns/new (the refund & exchange form for guests: email,
// contact name, the order ID from our store or Amazon with its marketplace, the product, the request, photos and the
// ALTCHA captcha, then "check your email"), /returns/confirm?token= (the single-use link from that email) and
// /returns/status/:caseId?t= (the status page the emails link to, with answer and cancel).
import { useEffect, useRef, useState } from 'react';
import { aftersalesApi, refusalTexts, type GuestCaseInput, type Marketplace } from '../../api/aftersales.ts';
import { ApiError } from '../../api/client.ts';
import { CaseStatus, kindLabels, normalizeSerial } from '../../components/aftersales.tsx';
import {
  CaptchaField,
  CaseRequestFields,
  MarketplaceField,
  PurchaseSourceField,
  RefusalPanel,
  amazonOrderPattern,
  draftProblems,
  draftRemedy,
  emptyDraft,
  useCaptcha,
  type CaseDraft,
  type PurchaseSource,
} from '../../components/case-form.tsx';
import { ErrorSummary, FormInvalid, SubmitButton, TextField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDate } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const storeOrderPattern = /^ord_[A-Za-z0-9]+$/;

export function GuestNewCasePage() {
  const form = useForm({ codeFields: { payload_too_large: 'images' } });
  const { state: session } = useSession();
  const captcha = useCaptcha();
  const [email, setEmail] = useState('');
  const [contactName, setContactName] = useState('');
  const [source, setSource] = useState<PurchaseSource>('store');
  const [marketplace, setMarketplace] = useState<Marketplace>('US');
  const [orderRef, setOrderRef] = useState('');
  const [productSku, setProductSku] = useState('');
  const [draft, setDraft] = useState<CaseDraft>(emptyDraft);
  const [refusal, setRefusal] = useState<{ message: string; texts: string[] } | null>(null);
  const [sent, setSent] = useState<{ email: string } | null>(null);

  const submit = async () => {
    setRefusal(null);
    const fields = draftProblems(draft, source);
    const typedEmail = email.trim();
    const typedOrder = orderRef.trim();
    if (!emailPattern.test(typedEmail)) fields.email = 'Enter the email address you used for the order, like name@example.com.';
    if (contactName.trim() === '') fields.contactName = 'Enter your name.';
    if (source === 'store' && !storeOrderPattern.test(typedOrder)) fields.orderRef = 'Enter the order ID from your order confirmation email; it starts with ord_.';
    if (source === 'marketplace' && !amazonOrderPattern.test(typedOrder)) fields.orderRef = 'Enter the Amazon order ID as it appears in your Amazon order history: 3, 7 and 7 digits, like 112-1234567-1234567.';
    if (productSku.trim() === '') fields.productSku = source === 'store' ? 'Enter the product code (SKU) from your order confirmation.' : 'Enter the product name or model number.';
    if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
    const altcha = await captcha.solve();
    const input: GuestCaseInput = {
      email: typedEmail,
      contactName: contactName.trim(),
      kind: draft.kind as GuestCaseInput['kind'],
      remedy: draftRemedy(draft),
      reason: draft.reason as GuestCaseInput['reason'],
      orderRef: typedOrder,
      productSku: productSku.trim(),
      serial: normalizeSerial(draft.serial) || null,
      marketplace: source === 'marketplace' ? marketplace : null,
      details: draft.details.trim(),
      altcha,
    };
    try {
      // A guest names the product by its code: the server's "which line" question is about that field.
      const answer = await aftersalesApi.openGuestCase(input, draft.files, { orderLineId: 'productSku' });
      // The server's answer says "check your email"; the page says it with the address and what happens next.
      if (answer.caseId) setSent({ email: typedEmail });
    } catch (error) {
      // A captcha solution is good for one request: a new one is solved for the next attempt.
      captcha.reset();
      if (error instanceof ApiError && error.code === 'not_eligible') {
        setRefusal({ message: error.message, texts: refusalTexts(error) });
        return;
      }
      throw error;
    }
  };

  if (sent) {
    return (
      <Page title="Check your email">
        <div className="card stack-small" data-testid="guest-case-sent">
          <p role="status">
            We sent a link to <strong>{sent.email}</strong>. Open it within 24 hours to confirm your request; our team starts as soon as you do. The email also has
            the link to follow your request.
          </p>
          <p className="small muted">No email? Check your spam folder. The link works once.</p>
        </div>
      </Page>
    );
  }

  return (
    <Page title="Refund & exchange" lead="30-day returns for any reason, an 18-month warranty and lifetime technical support. Bought here or on Amazon.">
      {session.status === 'signed_in' ? (
        <p className="notice">
          You are signed in: <Link to="/account/returns/new">start from your account</Link> to pick the order from your order history and follow your requests there.
        </p>
      ) : (
        <p className="small">
          Have an account? <Link to="/sign-in?next=%2Faccount%2Freturns%2Fnew">Sign in</Link> to pick the order from your order history.
        </p>
      )}
      <form className="card stack case-form" noValidate aria-labelledby="guest-form-title" onSubmit={form.handle(submit)}>
        <h2 id="guest-form-title" className="visually-hidden">
          Your request
        </h2>
        {refusal && <RefusalPanel message={refusal.message} texts={refusal.texts} />}
        <ErrorSummary form={form} title="Your request was not sent" />
        <fieldset className="form-section">
          <legend>Contact information</legend>
          <div className="field-row">
            <TextField form={form} name="email" label="Email address" type="email" autoComplete="email" hint="The one you used for the order." value={email} onValue={setEmail} />
            <TextField form={form} name="contactName" label="Contact name" autoComplete="name" hint="How we address you." value={contactName} onValue={setContactName} />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Order details</legend>
          <PurchaseSourceField
            form={form}
            value={source}
            onValue={setSource}
            options={[
              { value: 'store', label: 'Our online store' },
              { value: 'marketplace', label: 'Amazon' },
            ]}
          />
          <div className="field-row">
            {source === 'marketplace' && <MarketplaceField form={form} value={marketplace} onValue={setMarketplace} />}
            <TextField
              form={form}
              name="orderRef"
              label={source === 'marketplace' ? 'Amazon order ID' : 'Order ID'}
              hint={source === 'marketplace' ? "In your Amazon account's order history, like 112-1234567-1234567." : 'In your order confirmation email, like ord_…'}
              autoComplete="off"
              spellCheck={false}
              value={orderRef}
              onValue={setOrderRef}
            />
            <TextField
              form={form}
              name="productSku"
              label="Product"
              hint={source === 'marketplace' ? 'The name or model number, from the order history or the packaging.' : 'The product code (SKU) from your order confirmation.'}
              spellCheck={false}
              value={productSku}
              onValue={setProductSku}
            />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Your request</legend>
          <CaseRequestFields form={form} source={source} draft={draft} onDraft={setDraft} />
        </fieldset>
        <CaptchaField form={form} captcha={captcha} />
        <div className="actions">
          <SubmitButton form={form} busyText="Sending…">
            Submit
          </SubmitButton>
        </div>
      </form>
    </Page>
  );
}

type Confirmation = { status: 'working' } | { status: 'confirmed'; caseId: string; statusPath: string } | { status: 'failed'; message: string };

/** The status URL's path and query (the link is absolute, for the email). */
function pathOf(url: string): string {
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

export function GuestConfirmPage() {
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const [outcome, setOutcome] = useState<Confirmation>(token ? { status: 'working' } : { status: 'failed', message: 'This link has no token. Open the link from the email again.' });
  // The token is single-use: send it once even when React runs effects twice in development.
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (!token || sent.current === token) return;
    sent.current = token;
    aftersalesApi.confirm(token).then(
      (answer) => setOutcome({ status: 'confirmed', caseId: answer.caseId, statusPath: pathOf(answer.statusUrl) }),
      (error: unknown) => setOutcome({ status: 'failed', message: error instanceof ApiError ? error.message : 'We could not confirm your request. Please try again.' }),
    );
  }, [token]);
  return (
    <Page title="Confirm your request">
      <section className="card stack-small" aria-label="Confirmation">
        {outcome.status === 'working' && <Loading label="Confirming your request…" />}
        {outcome.status === 'confirmed' && (
          <>
            <p className="success-banner" role="status">
              Thank you: your email address is confirmed and your request is with our team.
            </p>
            <p>We email you at each step. You can follow it on its status page at any time; keep the link from the email.</p>
            <p>
              <Link to={outcome.statusPath} className="button primary">
                See your request
              </Link>
            </p>
          </>
        )}
        {outcome.status === 'failed' && (
          <>
            <div className="error-summary" role="alert">
              <h2>We could not confirm your request</h2>
              <p>{outcome.message}</p>
            </div>
            <p>A confirmation link works once and for 24 hours. If it has run out, send the form again.</p>
            <p>
              <Link to="/returns/new">Go to the refund & exchange form</Link>
            </p>
          </>
        )}
      </section>
    </Page>
  );
}

export function GuestStatusPage({ caseId }: { caseId: string }) {
  const { search } = useLocation();
  const token = search.get('t') ?? '';
  const item = useResource(() => (token ? aftersalesApi.guestCase(caseId, token) : Promise.reject(new Error('This link is incomplete. Open the link from the email again.'))), [caseId, token]);
  const data = item.data;
  return (
    <Page title={data ? kindLabels[data.kind] : 'Your request'} lead={data ? `Opened ${formatDate(data.createdAt)} by ${data.contactName}` : undefined}>
      {item.loading && !data && <Loading label="Loading your request…" />}
      {item.error !== undefined && (item.error instanceof ApiError && item.error.status === 404 ? (
        <div className="error-summary" role="alert">
          <h2>We could not find this request</h2>
          <p>The link may be incomplete. Open it again from the latest email about your request.</p>
        </div>
      ) : (
        <ErrorPanel error={item.error} onRetry={item.reload} />
      ))}
      {data && (
        <CaseStatus
          data={data}
          onChange={item.set}
          actions={{
            loadImage: (imageId) => aftersalesApi.guestImage(caseId, token, imageId),
            answer: (message, images) => aftersalesApi.guestAnswer(caseId, token, message, images),
            cancel: () => aftersalesApi.guestCancel(caseId, token),
          }}
        />
      )}
    </Page>
  );
}
