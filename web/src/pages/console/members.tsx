// /console/members?q=…: find a member by email, name, phone or ID.
import { useState } from 'react';
import { consoleApi } from '../../api/console.ts';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDate } from '../../lib/format.ts';
import { countryName } from '../../lib/places.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';

export function MemberLookupPage() {
  const { search } = useLocation();
  const text = search.get('q') ?? '';
  const [draft, setDraft] = useState(text);
  const results = useResource(() => (text ? consoleApi.searchMembers(text) : Promise.resolve({ members: [] })), [text]);
  const members = results.data?.members ?? [];

  return (
    <Page title="Members" lead="Look up a member by the start of their email address or name, or by member ID.">
      <form
        role="search"
        className="search-bar"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(`/console/members?q=${encodeURIComponent(draft.trim())}`);
        }}
      >
        <label htmlFor="member-search" className="visually-hidden">
          Search members
        </label>
        <input id="member-search" type="search" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Email, name or mem_…" spellCheck={false} />
        <button type="submit" className="button primary">
          Search
        </button>
      </form>
      {results.loading && text && <Loading label="Searching…" />}
      {results.error !== undefined && <ErrorPanel error={results.error} onRetry={results.reload} />}
      {!results.loading && text && members.length === 0 && results.error === undefined && (
        <p className="empty" role="status">
          No members match “{text}”.
        </p>
      )}
      {members.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Members matching “{text}”</caption>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Email</th>
                  <th scope="col">Country</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <tr key={member.id}>
                    <td>
                      <Link to={`/console/members/${encodeURIComponent(member.id)}`}>
                        {[member.firstName, member.lastName].filter(Boolean).join(' ') || member.preferredName || member.email}
                      </Link>
                      <div className="muted small mono">{member.id}</div>
                    </td>
                    <td>{member.email}</td>
                    <td>{countryName(member.country)}</td>
                    <td>
                      <span className={member.status === 'active' ? 'badge success' : 'badge'}>{member.status}</span>{' '}
                      {member.role !== 'member' && <span className="badge">{member.role}</span>}
                    </td>
                    <td>{formatDate(member.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {!text && <p className="empty">Enter a search above to find a member.</p>}
    </Page>
  );
}
