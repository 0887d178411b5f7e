// The public marketing pages: the newsletter form (ST-10), its double opt-in confirmation, and the unsubscribe page an
// email's link opens (PV-27): it shows whose subscription it is and offers "this campaign only" or "all promotional
// email"; opening it changes nothing.
import { useEffect, useState } from 'react';
import { marketingApi, type UnsubscribeView } from '../../api/marketing.ts';
import { ErrorSummary, StatusMessage, SubmitButton, TextField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { useLocation } from '../../router.tsx';
import { useResource } from '../../lib/use-resource.ts';

/** The newsletter form: also usable on the store's pages as a component. */
export function NewsletterForm() {
  const form = useForm();
  const [email, setEmail] = useState('');
  const [region, setRegion] = useState('');
  const [outcome, setOutcome] = useState<'subscribed' | 'confirmation_sent' | null>(null);
  const submit = form.handle(async () => {
    const result = await marketingApi.signUp({ email, region: region.trim() === '' ? null : region.trim().toUpperCase() });
    setOutcome(result.status);
  });
  if (outcome === 'confirmation_sent') return <StatusMessage>Almost done: we sent a confirmation link to {email}. Follow it to subscribe and get your welcome code.</StatusMessage>;
  if (outcome === 'subscribed') return <StatusMessage>You are subscribed. If this is your first sign-up, your 15% welcome code is on its way to {email}.</StatusMessage>;
  return (
    <form onSubmit={submit} noValidate className="card stack">
      <ErrorSummary form={form} />
      <p>Send me news and special offers, with 15% off my first purchase. I can unsubscribe at any time.</p>
      <TextField form={form} name="email" label="Email address" type="email" autoComplete="email" value={email} onValue={setEmail} />
      <TextField form={form} name="region" label="Country or region" hint="For example US-CA or DE; in some regions we ask you to confirm by email first." optional value={region} onValue={setRegion} />
      <SubmitButton form={form} busyText="Subscribing…">
        Subscribe
      </SubmitButton>
    </form>
  );
}

export function NewsletterPage() {
  return (
    <Page title="Newsletter" lead="News, new products and special offers by email.">
      <NewsletterForm />
    </Page>
  );
}

export function NewsletterConfirmPage() {
  const token = useLocation().search.get('token') ?? '';
  const [state, setState] = useState<'working' | 'done' | { error: unknown }>('working');
  useEffect(() => {
    marketingApi.confirm(token).then(
      () => setState('done'),
      (error: unknown) => setState({ error }),
    );
  }, [token]);
  return (
    <Page title="Confirm your subscription">
      {state === 'working' && <Loading label="Confirming…" />}
      {state === 'done' && <StatusMessage>Thank you: you are subscribed. Your welcome code is on its way by email.</StatusMessage>}
      {typeof state === 'object' && <ErrorPanel error={state.error} />}
    </Page>
  );
}

function UnsubscribeChoices({ token, initial }: { token: string; initial: UnsubscribeView }) {
  const form = useForm();
  const [view, setView] = useState(initial);
  const [done, setDone] = useState<'campaign' | 'all' | null>(null);
  const choose = (scope: 'campaign' | 'all') =>
    form.handle(async () => {
      const result = await marketingApi.unsubscribe(token, scope);
      setView(result);
      setDone(scope);
    });
  const what = view.channel === 'email' ? 'promotional email' : 'marketing texts';
  return (
    <div className="card stack">
      <ErrorSummary form={form} />
      <p>
        This link is for <strong>{view.maskedAddress}</strong> and the campaign “{view.campaignName}”.
      </p>
      {view.unsubscribedFromAll ? (
        <StatusMessage>You are unsubscribed from all {what}. Emails about your account and orders still reach you.</StatusMessage>
      ) : (
        <>
          {done === 'campaign' && <StatusMessage>You will get no more messages from “{view.campaignName}”. Other news and offers still reach you.</StatusMessage>}
          <form onSubmit={choose('campaign')}>
            <SubmitButton form={form} className="button secondary" busyText="Unsubscribing…">
              {view.unsubscribedFromCampaign ? 'Left this campaign' : 'Unsubscribe from this campaign only'}
            </SubmitButton>
          </form>
          <form onSubmit={choose('all')}>
            <SubmitButton form={form} busyText="Unsubscribing…">
              Unsubscribe from all {what}
            </SubmitButton>
          </form>
        </>
      )}
    </div>
  );
}

export function UnsubscribePage({ token }: { token: string }) {
  const info = useResource(() => marketingApi.unsubscribeInfo(token), [token]);
  return (
    <Page title="Unsubscribe" lead="Choose what to stop. Nothing changes until you press a button.">
      {info.loading && !info.data && <Loading />}
      {info.error !== undefined && <ErrorPanel error={info.error} />}
      {info.data && <UnsubscribeChoices token={token} initial={info.data} />}
    </Page>
  );
}
