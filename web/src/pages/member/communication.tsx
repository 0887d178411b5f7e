// /account/communication: "Communication preferences" (PV-26, PV-27): promotional email and texts on or off, the
// number texts go to, and the campaigns left one by one. Account, order and request emails are not affected.
import { useState } from 'react';
import { marketingApi, type Preferences } from '../../api/marketing.ts';
import { CheckboxField, ErrorSummary, StatusMessage, SubmitButton, TextField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

function PreferencesForm({ initial }: { initial: Preferences }) {
  const form = useForm();
  const [current, setCurrent] = useState(initial);
  const [email, setEmail] = useState(initial.email.subscribed);
  const [sms, setSms] = useState(initial.sms.subscribed);
  const [phone, setPhone] = useState(initial.sms.address ?? '');
  const [saved, setSaved] = useState(false);
  const submit = form.handle(async () => {
    setSaved(false);
    const next = await marketingApi.setPreferences({ email, sms, phone: phone.trim() === '' ? null : phone.trim() });
    setCurrent(next);
    setEmail(next.email.subscribed);
    setSms(next.sms.subscribed);
    setSaved(true);
  });
  return (
    <form onSubmit={submit} noValidate className="card stack">
      <ErrorSummary form={form} />
      <CheckboxField
        form={form}
        name="email"
        label="Promotional email: news and special offers"
        hint={current.email.suppressed && !current.email.subscribed ? `Your address is on our do-not-email list (${current.email.suppressed.replace('_', ' ')}). Turning this on subscribes you again.` : `Sent to ${current.email.address ?? 'your account email'}. You can unsubscribe at any time, also from the link in every email.`}
        checked={email}
        onChecked={setEmail}
      />
      <CheckboxField form={form} name="sms" label="Marketing text messages" hint="Reply STOP to any text to opt out at once, HELP for help. Message and data rates may apply." checked={sms} onChecked={setSms} />
      <TextField form={form} name="phone" label="Mobile number for texts" hint="In international form, for example +15551234567." optional={!sms} value={phone} onValue={setPhone} inputMode="tel" autoComplete="tel" />
      <p className="small muted">Emails about your account, orders, returns and privacy requests always reach you: they are not promotional.</p>
      <SubmitButton form={form} busyText="Saving…">
        Save preferences
      </SubmitButton>
      {saved && <StatusMessage>Your communication preferences are saved.</StatusMessage>}
      {current.campaignOptOuts.length > 0 && (
        <div>
          <h2 className="h3">Campaigns you left</h2>
          <ul>
            {current.campaignOptOuts.map((o) => (
              <li key={o.campaignId}>
                {o.campaignName} <span className="small muted">(since {formatDateTime(o.at)})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}

export function CommunicationPreferencesPage() {
  const preferences = useResource(() => marketingApi.preferences(), []);
  return (
    <Page title="Communication preferences" lead="Choose which promotional messages you get from us. Changes take effect at once, also for campaigns already scheduled.">
      {preferences.loading && !preferences.data && <Loading />}
      {preferences.error !== undefined && <ErrorPanel error={preferences.error} onRetry={preferences.reload} />}
      {preferences.data && <PreferencesForm initial={preferences.data} />}
    </Page>
  );
}
