// The console's Plus membership views: a member's membership on the member page (state, plan, periods, the dated
// history with the renewal runs' outcomes, notices, benefits used, and a Cancel action), and /console/memberships,
// the memberships whose renewal payment failed (past due), oldest trouble first in the retry column.
import { useState } from 'react';
import { membershipApi } from '../../api/membership.ts';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { BenefitsUsed, CancelMembershipDialog, MembershipFacts, MembershipHistory, NoticesTable, PeriodsTable, planLabel } from '../../components/membership.tsx';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

const memberLink = (memberId: string) => `/console/members/${encodeURIComponent(memberId)}`;

/** A member's Plus membership for the member detail page. */
export function MembershipSection({ memberId }: { memberId: string }) {
  const overview = useResource(() => membershipApi.memberMembership(memberId), [memberId]);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const data = overview.data;
  const sub = data?.subscription ?? null;
  const cancellable = sub !== null && sub.state !== 'canceled' && sub.state !== 'lapsed';
  return (
    <div className="stack-large" role="region" aria-label="Membership">
      <section className="card" aria-labelledby="member-membership-title">
        <div className="section-header">
          <h2 id="member-membership-title">Plus membership</h2>
          {cancellable && (
            <button type="button" className="button danger-outline small" onClick={() => setConfirming(true)}>
              Cancel membership…
            </button>
          )}
        </div>
        {message && (
          <p className="success-banner" role="status">
            {message}
          </p>
        )}
        {overview.loading && !data && <Loading label="Loading the membership…" />}
        {overview.error !== undefined && <ErrorPanel error={overview.error} onRetry={overview.reload} />}
        {data && !sub && <p className="muted">Not a Plus member, and never was.</p>}
        {data && sub && <MembershipFacts overview={data} audience="agent" />}
      </section>
      {data && sub && (
        <>
          <PeriodsTable periods={data.periods} />
          <MembershipHistory history={data.history} />
          <NoticesTable notices={data.notices} messageLink={(messageId) => `/console/mail/${encodeURIComponent(messageId)}`} />
          <BenefitsUsed overview={data} orderLink={(orderId) => `/console/orders/${encodeURIComponent(orderId)}`} />
        </>
      )}
      {confirming && sub && (
        <CancelMembershipDialog
          audience="agent"
          plan={sub.plan}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            await membershipApi.cancelForMember(memberId);
            setConfirming(false);
            overview.set(await membershipApi.memberMembership(memberId));
            setMessage('The membership is canceled: its benefits ended now and nothing was refunded. The member was emailed.');
          }}
        />
      )}
    </div>
  );
}

/** /console/memberships: past-due memberships (GET /agent/memberships?state=past_due). */
export function PastDueMembershipsPage() {
  const list = useResource(() => membershipApi.inState('past_due'), []);
  const rows = list.data?.subscriptions ?? [];
  return (
    <Page
      title="Past-due memberships"
      lead="Plus memberships whose renewal payment failed. Benefits are paused; the renewal run retries the payment on schedule, and the last failed try lapses the membership."
      actions={<RefreshButton resource={list} />}
    >
      {list.loading && !list.data && <Loading label="Loading memberships…" />}
      {list.error !== undefined && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {list.data && rows.length === 0 && <p className="empty">No memberships are past due.</p>}
      {rows.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Past-due memberships, most recently changed first</caption>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Period ended</th>
                  <th scope="col">Past due since</th>
                  <th scope="col">Retries done</th>
                  <th scope="col">Next try</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((sub) => (
                  <tr key={sub.id}>
                    <td>
                      <Link to={memberLink(sub.memberId)} className="mono">
                        {sub.memberId}
                      </Link>
                    </td>
                    <td>{planLabel(sub.plan)}</td>
                    <td className="nowrap">{formatDate(sub.currentPeriodEndsAt)}</td>
                    <td className="nowrap">{formatDateTime(sub.pastDueSince)}</td>
                    <td>{sub.retriesDone}</td>
                    <td className="nowrap">{sub.nextRetryAt ? formatDateTime(sub.nextRetryAt) : 'None left'}</td>
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
