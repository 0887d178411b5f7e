// /console/mail and /console/mail/:id: the outbox, readable here when no SMTP server is configured (NT-2).
import { useState } from 'react';
import { consoleApi, type MailMessage, type MailState, type MailSummary } from '../../api/console.ts';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

const stateTone = { queued: '', held: 'warning', sent: 'success', failed: 'danger' } as const satisfies Record<MailState, string>;
const stateLabel = { queued: 'Queued', held: 'Held', sent: 'Sent', failed: 'Failed' } as const satisfies Record<MailState, string>;

function StateBadge({ state }: { state: MailState }) {
  return <span className={`badge ${stateTone[state]}`.trim()}>{stateLabel[state]}</span>;
}

/**
 * The HTML part is untrusted content: it is shown in a sandboxed frame with no permissions at all, so it runs no
 * script, submits no form, opens no window and cannot reach this page or its cookies.
 */
function HtmlPreview({ html, subject }: { html: string; subject: string }) {
  return <iframe className="mail-frame" sandbox="" referrerPolicy="no-referrer" srcDoc={html} title={`HTML version of “${subject}”`} />;
}

function MessageView({ message }: { message: MailMessage }) {
  const [view, setView] = useState<'html' | 'text'>('html');
  return (
    <article className="card mail-message" aria-labelledby="mail-subject">
      <header className="mail-header">
        <h2 id="mail-subject">{message.subject}</h2>
        <dl className="facts facts-inline">
          <div>
            <dt>To</dt>
            <dd>{message.to}</dd>
          </div>
          <div>
            <dt>Queued</dt>
            <dd>{formatDateTime(message.createdAt)}</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>
              <StateBadge state={message.state} />
            </dd>
          </div>
          {message.sentAt && (
            <div>
              <dt>Sent</dt>
              <dd>{formatDateTime(message.sentAt)}</dd>
            </div>
          )}
          <div>
            <dt>Template</dt>
            <dd>
              <code>{message.template}</code>
            </dd>
          </div>
          {message.memberId && (
            <div>
              <dt>Member</dt>
              <dd>
                <Link to={`/console/members/${encodeURIComponent(message.memberId)}`} className="mono">
                  {message.memberId}
                </Link>
              </dd>
            </div>
          )}
        </dl>
        {message.lastError && (
          <p className="field-error">
            Last delivery error (attempt {message.attempts}): {message.lastError}
          </p>
        )}
      </header>
      <div className="segmented" role="group" aria-label="Show the message as">
        <button type="button" aria-pressed={view === 'html'} onClick={() => setView('html')}>
          HTML
        </button>
        <button type="button" aria-pressed={view === 'text'} onClick={() => setView('text')}>
          Plain text
        </button>
      </div>
      {view === 'html' ? (
        <HtmlPreview html={message.html} subject={message.subject} />
      ) : (
        <pre className="mail-text" aria-label="Plain-text version">
          {message.text}
        </pre>
      )}
    </article>
  );
}

function SelectedMessage({ id }: { id: string }) {
  const message = useResource(() => consoleApi.mailMessage(id), [id]);
  if (message.loading && !message.data) return <Loading label="Opening message…" />;
  if (message.error !== undefined) return <ErrorPanel error={message.error} onRetry={message.reload} />;
  return message.data ? <MessageView key={message.data.id} message={message.data} /> : null;
}

export function MailPage({ messageId }: { messageId?: string }) {
  const [generation, setGeneration] = useState(0);
  const firstPage = useResource(() => consoleApi.mail(), [generation]);
  const [older, setOlder] = useState<MailSummary[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const [filter, setFilter] = useState('');

  const all = [...(firstPage.data?.messages ?? []), ...older];
  const needle = filter.trim().toLowerCase();
  const messages = needle ? all.filter((message) => message.to.toLowerCase().includes(needle) || message.subject.toLowerCase().includes(needle)) : all;
  const cursor = olderCursor === undefined ? firstPage.data?.nextBefore : olderCursor;

  const refresh = () => {
    setOlder([]);
    setOlderCursor(undefined);
    setGeneration((value) => value + 1);
  };

  return (
    <Page
      title="Mail"
      lead="Every email Patron has queued, newest first. Without an SMTP server, this is where messages can be read."
      actions={
        <button type="button" className="button secondary" onClick={refresh}>
          Refresh
        </button>
      }
    >
      <div className="search-bar">
        <label htmlFor="mail-filter" className="visually-hidden">
          Filter by recipient or subject
        </label>
        <input
          id="mail-filter"
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          placeholder="Filter by recipient or subject"
          spellCheck={false}
        />
      </div>
      <div className="mail-layout">
        <section className="card flush mail-list" aria-label="Messages">
          {firstPage.loading && !firstPage.data && <Loading label="Loading messages…" />}
          {firstPage.error !== undefined && <ErrorPanel error={firstPage.error} onRetry={refresh} />}
          {firstPage.data && messages.length === 0 && <p className="empty">{needle ? 'No loaded message matches the filter.' : 'No messages yet.'}</p>}
          {messages.length > 0 && (
            <ul className="message-list">
              {messages.map((message) => (
                <li key={message.id}>
                  <Link to={`/console/mail/${encodeURIComponent(message.id)}`} className="message-link" aria-current={message.id === messageId ? 'true' : undefined}>
                    <span className="message-subject">{message.subject}</span>
                    <span className="message-meta">
                      <span className="message-to">{message.to}</span>
                      <span>{formatDateTime(message.createdAt)}</span>
                    </span>
                    <span className="message-status">
                      <StateBadge state={message.state} />
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {moreError !== undefined && <ErrorPanel error={moreError} />}
          {cursor && (
            <div className="list-footer">
              <button
                type="button"
                className="button secondary small block"
                disabled={loadingMore}
                onClick={() => {
                  setLoadingMore(true);
                  setMoreError(undefined);
                  consoleApi
                    .mail({ before: cursor })
                    .then((page) => {
                      setOlder((current) => [...current, ...page.messages]);
                      setOlderCursor(page.nextBefore);
                    }, setMoreError)
                    .finally(() => setLoadingMore(false));
                }}
              >
                {loadingMore ? 'Loading…' : 'Load older messages'}
              </button>
            </div>
          )}
        </section>
        <div className="mail-reader">{messageId ? <SelectedMessage id={messageId} /> : <p className="empty card">Choose a message to read it.</p>}</div>
      </div>
    </Page>
  );
}
