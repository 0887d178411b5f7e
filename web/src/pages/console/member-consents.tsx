// The consent history of a member on the console's member page (PV-22): every recorded choice, oldest first, with
// how and where it was made. Reading it is audited.
import { consentApi } from '../../api/consent.ts';
import { ErrorPanel, Loading } from '../../components/layout.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

const methodLabels: Record<string, string> = { banner: 'Cookie banner', settings: 'Settings', gpc: 'Global Privacy Control', api: 'API', signup: 'Sign-up' };

export function ConsentHistorySection({ memberId }: { memberId: string }) {
  const history = useResource(() => consentApi.history(memberId), [memberId]);
  const records = history.data?.records ?? [];
  return (
    <section className="card" aria-labelledby="consent-history-title">
      <div className="section-header">
        <h2 id="consent-history-title">Consent history</h2>
        <span className="muted small">Oldest first. Records are never changed; a later record replaces an earlier choice.</span>
      </div>
      {history.loading && !history.data && <Loading label="Loading consent records…" />}
      {history.error !== undefined && <ErrorPanel error={history.error} onRetry={history.reload} />}
      {history.data && records.length === 0 && <p className="muted">No consent recorded for this member: the regional defaults apply.</p>}
      {records.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Consent records of this member</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Purpose</th>
                <th scope="col">Choice</th>
                <th scope="col">How</th>
                <th scope="col">Notice</th>
                <th scope="col">Region</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record) => (
                <tr key={record.id}>
                  <td className="nowrap">{formatDateTime(record.recordedAt)}</td>
                  <td>{record.purpose.replace('_', ' ')}</td>
                  <td>
                    <span className={record.choice === 'granted' ? 'badge success' : 'badge'}>{record.choice}</span>
                  </td>
                  <td>{methodLabels[record.method] ?? record.method}</td>
                  <td>v{record.noticeVersion}</td>
                  <td>{record.region ?? '—'}</td>
                  <td>{record.source ? <code>{record.source}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
