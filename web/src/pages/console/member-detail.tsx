// /console/members/:id: a member's profile, Plus membership, reward redemptions (with their delivery) and audit trail
// (reading it is itself audited, AC-9).
import { useState } from 'react';
import { consoleApi, type AuditEntry } from '../../api/console.ts';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatCalendarDate, formatDate, formatDateTime } from '../../lib/format.ts';
import { countryName, languageName } from '../../lib/places.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, NavLink } from '../../router.tsx';
import { MembershipSection } from './memberships.tsx';
import { RedemptionsSection } from './member-redemptions.tsx';
import { ConsentHistorySection } from './member-consents.tsx';

function describeDetails(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined) continue;
    parts.push(`${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join(' · ');
}

function AuditTrail({ memberId }: { memberId: string }) {
  const firstPage = useResource(() => consoleApi.memberAudit(memberId), [memberId]);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const entries = [...(firstPage.data?.entries ?? []), ...older];
  const cursor = nextBefore === undefined ? firstPage.data?.nextBefore : nextBefore;

  return (
    <section className="card" aria-labelledby="audit-title">
      <div className="section-header">
        <h2 id="audit-title">Audit trail</h2>
        <span className="muted small">Newest first. Your own views of this member are recorded here too.</span>
      </div>
      {firstPage.loading && !firstPage.data && <Loading label="Loading audit entries…" />}
      {firstPage.error !== undefined && <ErrorPanel error={firstPage.error} onRetry={firstPage.reload} />}
      {firstPage.data && entries.length === 0 && <p className="muted">No audit entries yet.</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Audit entries for this member</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap">{formatDateTime(entry.at)}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    <span className="badge">{entry.actor.role}</span>
                    {entry.actor.id && <span className="muted small mono"> {entry.actor.id}</span>}
                  </td>
                  <td className="details-cell">{describeDetails(entry.details) || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError !== undefined && <ErrorPanel error={moreError} />}
      {cursor !== null && cursor !== undefined && (
        <div className="actions">
          <button
            type="button"
            className="button secondary"
            disabled={loadingMore}
            onClick={() => {
              setLoadingMore(true);
              setMoreError(undefined);
              consoleApi
                .memberAudit(memberId, cursor)
                .then((page) => {
                  setOlder((current) => [...current, ...page.entries]);
                  setNextBefore(page.nextBefore);
                }, setMoreError)
                .finally(() => setLoadingMore(false));
            }}
          >
            {loadingMore ? 'Loading…' : 'Show older entries'}
          </button>
        </div>
      )}
    </section>
  );
}

/** The member's name as a page title, with a path back to the lookup; shared by the member's console pages. */
export function useMemberHeading(memberId: string) {
  const member = useResource(() => consoleApi.member(memberId), [memberId]);
  const data = member.data;
  const title = data ? [data.firstName, data.lastName].filter(Boolean).join(' ') || data.preferredName || data.email : 'Member';
  const lead = (
    <>
      <Link to="/console/members">Members</Link> / <span className="mono">{memberId}</span>
      {data && data.email !== title && <> · {data.email}</>}
    </>
  );
  return { member, title, lead };
}

/** The member's console pages. Later modules add theirs (orders, cases, privacy requests). */
export function MemberTabs({ memberId }: { memberId: string }) {
  const base = `/console/members/${encodeURIComponent(memberId)}`;
  return (
    <nav className="tabs" aria-label="Member">
      <NavLink to={base} exact>
        Profile and audit trail
      </NavLink>
      <NavLink to={`${base}/credits`}>Credits ledger</NavLink>
    </nav>
  );
}

export function MemberDetailPage({ memberId }: { memberId: string }) {
  const { member, title, lead } = useMemberHeading(memberId);
  const data = member.data;
  return (
    <Page title={title} lead={lead}>
      <MemberTabs memberId={memberId} />
      {member.loading && !data && <Loading />}
      {member.error !== undefined && <ErrorPanel error={member.error} onRetry={member.reload} />}
      {data && (
        <div className="stack-large">
          <div className="tiles">
            <section className="card" aria-labelledby="member-profile-title">
              <h2 id="member-profile-title">Profile</h2>
              <dl className="facts">
                <div>
                  <dt>Email</dt>
                  <dd>
                    {data.email}{' '}
                    {data.emailVerifiedAt ? (
                      <span className="badge success" title={`Confirmed ${formatDateTime(data.emailVerifiedAt)}`}>
                        Confirmed
                      </span>
                    ) : (
                      <span className="badge warning">Not confirmed</span>
                    )}
                  </dd>
                </div>
                <div>
                  <dt>Name</dt>
                  <dd>{[data.firstName, data.lastName].filter(Boolean).join(' ') || '—'}</dd>
                </div>
                <div>
                  <dt>Preferred name</dt>
                  <dd>{data.preferredName || '—'}</dd>
                </div>
                <div>
                  <dt>Phone</dt>
                  <dd>{data.phone || '—'}</dd>
                </div>
                <div>
                  <dt>Date of birth</dt>
                  <dd>{formatCalendarDate(data.dateOfBirth)}</dd>
                </div>
                <div>
                  <dt>Country</dt>
                  <dd>{countryName(data.country)}</dd>
                </div>
                <div>
                  <dt>Language</dt>
                  <dd>{languageName(data.language)}</dd>
                </div>
              </dl>
            </section>
            <section className="card" aria-labelledby="member-account-title">
              <h2 id="member-account-title">Account</h2>
              <dl className="facts">
                <div>
                  <dt>Member ID</dt>
                  <dd className="mono">{data.id}</dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>
                    <span className={data.status === 'active' ? 'badge success' : 'badge'}>{data.status}</span>
                  </dd>
                </div>
                <div>
                  <dt>Role</dt>
                  <dd>{data.role}</dd>
                </div>
                <div>
                  <dt>2-step verification</dt>
                  <dd>{data.twoFactorEnabled ? `On, ${data.recoveryCodesLeft} recovery codes left` : 'Off'}</dd>
                </div>
                <div>
                  <dt>Sign-in</dt>
                  <dd>{[data.hasPassword ? 'Password' : null, ...data.signInProviders].filter(Boolean).join(', ') || '—'}</dd>
                </div>
                <div>
                  <dt>Joined</dt>
                  <dd>{formatDate(data.createdAt)}</dd>
                </div>
                <div>
                  <dt>Last changed</dt>
                  <dd>{formatDateTime(data.updatedAt)}</dd>
                </div>
              </dl>
              {data.addresses.length > 0 && (
                <>
                  <h3>Addresses</h3>
                  <ul className="plain-list stack-small">
                    {data.addresses.map((address) => (
                      <li key={address.id}>
                        <address>
                          {[address.line1, address.line2, [address.postalCode, address.city].filter(Boolean).join(' '), address.region, countryName(address.country)]
                            .filter(Boolean)
                            .join(', ')}
                        </address>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          </div>
          <MembershipSection memberId={memberId} />
          <RedemptionsSection memberId={memberId} />
          <ConsentHistorySection memberId={memberId} />
          <AuditTrail memberId={memberId} />
        </div>
      )}
    </Page>
  );
}
