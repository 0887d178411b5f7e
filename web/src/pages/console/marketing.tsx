// /console/marketing: campaigns (compose, audience preview with counts, schedule, cancel; queued and skipped counts,
// opens and clicks where tracked) and /console/marketing/suppressions: the suppression list (view, add, remove).
import { useState } from 'react';
import { marketingApi, type Audience, type AudiencePreview, type Channel, type SuppressionReason } from '../../api/marketing.ts';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

const stateTones: Record<string, string> = { draft: 'badge', scheduled: 'badge warning', sending: 'badge warning', sent: 'badge success', canceled: 'badge danger' };

function audienceOf(kind: string, country: string): Audience {
  if (kind === 'plus') return { kind: 'plus' };
  if (kind === 'country') return { kind: 'country', country: country.trim().toUpperCase() };
  return { kind: 'all' };
}

function ComposeCampaign({ onCreated }: { onCreated: () => void }) {
  const form = useForm();
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<Channel>('email');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [kind, setKind] = useState('all');
  const [country, setCountry] = useState('');
  const [at, setAt] = useState('');
  const [preview, setPreview] = useState<AudiencePreview | null>(null);
  const [scheduled, setScheduled] = useState<string | null>(null);
  const showPreview = form.handle(async () => {
    setPreview(await marketingApi.preview({ channel, audience: audienceOf(kind, country) }));
  });
  const submit = form.handle(async () => {
    const campaign = await marketingApi.createCampaign({ name, channel, subject: channel === 'email' ? subject : null, body, audience: audienceOf(kind, country) });
    const done = await marketingApi.schedule(campaign.id, at === '' ? null : new Date(at).toISOString());
    setScheduled(`“${done.name}” is scheduled for ${formatDateTime(done.scheduledAt)}.`);
    onCreated();
  });
  return (
    <form onSubmit={submit} noValidate className="card stack">
      <h2 className="h3">New campaign</h2>
      <ErrorSummary form={form} />
      <TextField form={form} name="name" label="Name" value={name} onValue={setName} />
      <SelectField form={form} name="channel" label="Channel" value={channel} onValue={(v) => setChannel(v as Channel)} options={[{ value: 'email', label: 'Email' }, { value: 'sms', label: 'Text message (SMS)' }]} />
      {channel === 'email' && <TextField form={form} name="subject" label="Subject" value={subject} onValue={setSubject} />}
      <TextAreaField form={form} name="body" label="Message" hint={channel === 'email' ? 'Plain text; blank lines separate paragraphs, web links become buttons. The unsubscribe link is added.' : 'At most 480 characters; “Reply STOP to opt out.” is added.'} rows={8} value={body} onValue={setBody} />
      <SelectField form={form} name="audience" label="Audience" value={kind} onValue={setKind} options={[{ value: 'all', label: 'Everyone subscribed' }, { value: 'plus', label: 'Plus members' }, { value: 'country', label: 'Subscribers in a country' }]} />
      {kind === 'country' && <TextField form={form} name="audience.country" label="Country code" hint="Two letters, for example US or DE." value={country} onValue={setCountry} />}
      <div>
        <button type="button" className="button secondary" onClick={(event) => showPreview(event as unknown as React.FormEvent<HTMLFormElement>)}>
          Preview audience
        </button>
        {preview && (
          <p className="small" role="status">
            {preview.listed.toLocaleString('en-US')} subscribed, {preview.suppressed.toLocaleString('en-US')} suppressed: about <strong>{preview.estimated.toLocaleString('en-US')}</strong> recipients. Consent, restriction and objections are checked again for each recipient when it is sent{kind === 'plus' ? '; Plus membership too' : ''}.
          </p>
        )}
      </div>
      <TextField form={form} name="at" label="Send at" hint="Leave empty to send now." type="datetime-local" optional value={at} onValue={setAt} />
      <SubmitButton form={form} busyText="Scheduling…">
        Schedule campaign
      </SubmitButton>
      {scheduled && <StatusMessage>{scheduled}</StatusMessage>}
    </form>
  );
}

export function CampaignsPage() {
  const campaigns = useResource(() => marketingApi.campaigns(), []);
  const [canceling, setCanceling] = useState<string | null>(null);
  const cancel = async (id: string) => {
    setCanceling(id);
    try {
      await marketingApi.cancel(id);
    } finally {
      setCanceling(null);
      campaigns.reload();
    }
  };
  return (
    <Page title="Campaigns" lead="Promotional email and texts. Each recipient’s consent is checked again at the moment of sending." actions={<><Link to="/console/marketing/suppressions" className="button secondary">Suppression list</Link> <RefreshButton resource={campaigns} /></>}>
      <ComposeCampaign onCreated={campaigns.reload} />
      {campaigns.loading && !campaigns.data && <Loading label="Loading campaigns…" />}
      {campaigns.error !== undefined && <ErrorPanel error={campaigns.error} onRetry={campaigns.reload} />}
      {campaigns.data && campaigns.data.campaigns.length === 0 && <p className="empty">No campaigns yet.</p>}
      {campaigns.data && campaigns.data.campaigns.length > 0 && (
        <DataTable caption="Campaigns, newest first" columns={['Name', 'Channel', 'Audience', 'State', 'Scheduled', 'Queued', 'Skipped', { hidden: 'Actions' }]}>
          {campaigns.data.campaigns.map((c) => (
            <tr key={c.id}>
              <td>
                {c.name}
                {c.subject && <div className="small muted">{c.subject}</div>}
              </td>
              <td>{c.channel === 'email' ? 'Email' : 'SMS'}</td>
              <td className="small">{c.audienceLabel}</td>
              <td>
                <span className={stateTones[c.state] ?? 'badge'}>{c.state}</span>
              </td>
              <td className="nowrap small">{formatDateTime(c.scheduledAt)}</td>
              <td>{c.queuedCount.toLocaleString('en-US')}</td>
              <td>{c.skippedCount.toLocaleString('en-US')}</td>
              <td>
                {(c.state === 'draft' || c.state === 'scheduled' || c.state === 'sending') && (
                  <button type="button" className="button secondary small" disabled={canceling === c.id} onClick={() => void cancel(c.id)}>
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Page>
  );
}

const reasons: SuppressionReason[] = ['manual', 'bounced', 'complaint', 'unsubscribed', 'sms_stop'];

export function SuppressionsPage() {
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState('');
  const list = useResource(() => marketingApi.suppressions({ search: filter || undefined }), [filter]);
  const form = useForm();
  const [channel, setChannel] = useState<Channel>('email');
  const [address, setAddress] = useState('');
  const [reason, setReason] = useState<SuppressionReason>('manual');
  const [note, setNote] = useState('');
  const add = form.handle(async () => {
    await marketingApi.addSuppression({ channel, address, reason, note: note.trim() === '' ? null : note.trim() });
    setAddress('');
    setNote('');
    list.reload();
  });
  const remove = async (entry: { channel: Channel; address: string }) => {
    await marketingApi.removeSuppression(entry);
    list.reload();
  };
  return (
    <Page title="Suppression list" lead="Addresses and numbers that get no promotional messages, whatever their consent says. Removing an entry does not subscribe anyone: their consent still decides." actions={<RefreshButton resource={list} />}>
      <form onSubmit={add} noValidate className="card stack">
        <h2 className="h3">Add an entry</h2>
        <ErrorSummary form={form} />
        <SelectField form={form} name="channel" label="Channel" value={channel} onValue={(v) => setChannel(v as Channel)} options={[{ value: 'email', label: 'Email' }, { value: 'sms', label: 'SMS' }]} />
        <TextField form={form} name="address" label={channel === 'email' ? 'Email address' : 'Phone number (+15551234567)'} value={address} onValue={setAddress} />
        <SelectField form={form} name="reason" label="Reason" value={reason} onValue={(v) => setReason(v as SuppressionReason)} options={reasons.map((r) => ({ value: r, label: r.replace('_', ' ') }))} />
        <TextField form={form} name="note" label="Note" optional value={note} onValue={setNote} />
        <SubmitButton form={form} busyText="Adding…">
          Add to the list
        </SubmitButton>
      </form>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(search.trim());
        }}
      >
        <label htmlFor="suppression-search">Search</label> <input id="suppression-search" value={search} onChange={(e) => setSearch(e.target.value)} /> <button className="button secondary">Search</button>
      </form>
      {list.loading && !list.data && <Loading />}
      {list.error !== undefined && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {list.data && list.data.suppressions.length === 0 && <p className="empty">Nothing on the list.</p>}
      {list.data && list.data.suppressions.length > 0 && (
        <DataTable caption="Suppression list, newest first" columns={['Address', 'Channel', 'Reason', 'Note', 'Added', { hidden: 'Actions' }]}>
          {list.data.suppressions.map((s) => (
            <tr key={s.id}>
              <td className="mono small">{s.address}</td>
              <td>{s.channel}</td>
              <td>
                <span className="badge">{s.reason.replace('_', ' ')}</span>
              </td>
              <td className="small">{s.note ?? '—'}</td>
              <td className="nowrap small">{formatDateTime(s.createdAt)}</td>
              <td>
                <button type="button" className="button secondary small" onClick={() => void remove(s)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Page>
  );
}
