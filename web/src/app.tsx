// The route table: the member center at / and /account/…, the agent console at /console/….
import { ConsentProvider, CookieBanner } from './components/cookie-banner.tsx';
import { ConsoleLayout, Loading, MemberLayout, NotFound, RequireMember, RequireStaff } from './components/layout.tsx';
import { CatalogProductsPage, CatalogRewardsPage } from './pages/console/catalog.tsx';
import { CreditsProgramPage } from './pages/console/credits-program.tsx';
import { ExternalOrdersPage } from './pages/console/external-orders.tsx';
import { FlowsPage } from './pages/console/flows.tsx';
import { MailPage } from './pages/console/mail.tsx';
import { MemberCreditsPage } from './pages/console/member-credits.tsx';
import { MemberDetailPage } from './pages/console/member-detail.tsx';
import { PastDueMembershipsPage } from './pages/console/memberships.tsx';
import { MemberLookupPage } from './pages/console/members.tsx';
import { OrderConsolePage, OrdersConsolePage } from './pages/console/orders.tsx';
import { ConsoleSignInPage } from './pages/console/sign-in.tsx';
import { WebhooksPage } from './pages/console/webhooks.tsx';
import { OutgoingWebhookPage, OutgoingWebhooksPage } from './pages/console/outgoing-webhooks.tsx';
import { CartPage } from './pages/member/cart.tsx';
import { CheckoutPage } from './pages/member/checkout.tsx';
import { CreditsPage } from './pages/member/credits.tsx';
import { MembershipPage } from './pages/member/membership.tsx';
import { CompleteSignUpPage } from './pages/member/complete-sign-up.tsx';
import { ForgotPasswordPage } from './pages/member/forgot-password.tsx';
import { AccountHomePage } from './pages/member/home.tsx';
import { OrderPage, OrdersPage } from './pages/member/orders.tsx';
import { ProfilePage } from './pages/member/profile.tsx';
import { ResetPasswordPage } from './pages/member/reset-password.tsx';
import { RewardsPage } from './pages/member/rewards.tsx';
import { SecurityPage } from './pages/member/security.tsx';
import { ProductPage, ShopPage } from './pages/member/shop.tsx';
import { SignInPage } from './pages/member/sign-in.tsx';
import { SignUpPage } from './pages/member/sign-up.tsx';
import { VerifyEmailPage } from './pages/member/verify-email.tsx';
import { WelcomePage } from './pages/member/welcome.tsx';
import { Redirect, Routes, useLocation, type RouteDefinition } from './router.tsx';
import { SessionProvider } from './session.tsx';
import { lazy, Suspense, type ReactNode } from 'react';

// After-sales pages load on first use: the rest of the app does not carry them (they would push the one bundle over
// Vite's 500 kB warning).
const memberCases = () => import('./pages/member/returns.tsx');
const guestCases = () => import('./pages/returns/guest.tsx');
const consoleCases = () => import('./pages/console/cases.tsx');
const ReturnsPage = lazy(() => memberCases().then((module) => ({ default: module.ReturnsPage })));
const NewReturnPage = lazy(() => memberCases().then((module) => ({ default: module.NewReturnPage })));
const ReturnPage = lazy(() => memberCases().then((module) => ({ default: module.ReturnPage })));
const GuestNewCasePage = lazy(() => guestCases().then((module) => ({ default: module.GuestNewCasePage })));
const GuestConfirmPage = lazy(() => guestCases().then((module) => ({ default: module.GuestConfirmPage })));
const GuestStatusPage = lazy(() => guestCases().then((module) => ({ default: module.GuestStatusPage })));
const CasesQueuePage = lazy(() => consoleCases().then((module) => ({ default: module.CasesQueuePage })));
const CaseConsolePage = lazy(() => consoleCases().then((module) => ({ default: module.CaseConsolePage })));
// The privacy center's pages load on first use too.
const publicPrivacy = () => import('./pages/privacy/public.tsx');
const memberPrivacy = () => import('./pages/member/privacy.tsx');
const consolePrivacy = () => import('./pages/console/privacy.tsx');
const PrivacyRequestFormPage = lazy(() => publicPrivacy().then((module) => ({ default: module.PrivacyRequestFormPage })));
const PrivacyRequestStatusPage = lazy(() => publicPrivacy().then((module) => ({ default: module.PrivacyRequestStatusPage })));
const ConfirmAgentPage = lazy(() => publicPrivacy().then((module) => ({ default: module.ConfirmAgentPage })));
const ExportDownloadPage = lazy(() => publicPrivacy().then((module) => ({ default: module.ExportDownloadPage })));
const PrivacyChoicesPage = lazy(() => import('./pages/privacy/choices.tsx').then((module) => ({ default: module.PrivacyChoicesPage })));
const MemberPrivacyPage = lazy(() => memberPrivacy().then((module) => ({ default: module.MemberPrivacyPage })));
const MemberRequestPage = lazy(() => memberPrivacy().then((module) => ({ default: module.MemberRequestPage })));
const PrivacyQueuePage = lazy(() => consolePrivacy().then((module) => ({ default: module.PrivacyQueuePage })));
const NewPrivacyRequestConsolePage = lazy(() => consolePrivacy().then((module) => ({ default: module.NewPrivacyRequestConsolePage })));
const PrivacyRequestConsolePage = lazy(() => consolePrivacy().then((module) => ({ default: module.PrivacyRequestConsolePage })));

// Marketing (issue 11 parts 4-6): communication preferences, the newsletter and unsubscribe pages, the console's campaigns.
const memberMarketing = () => import('./pages/member/communication.tsx');
const publicMarketing = () => import('./pages/marketing/public.tsx');
const consoleMarketing = () => import('./pages/console/marketing.tsx');
const CommunicationPreferencesPage = lazy(() => memberMarketing().then((module) => ({ default: module.CommunicationPreferencesPage })));
const NewsletterPage = lazy(() => publicMarketing().then((module) => ({ default: module.NewsletterPage })));
const NewsletterConfirmPage = lazy(() => publicMarketing().then((module) => ({ default: module.NewsletterConfirmPage })));
const UnsubscribePage = lazy(() => publicMarketing().then((module) => ({ default: module.UnsubscribePage })));
const CampaignsPage = lazy(() => consoleMarketing().then((module) => ({ default: module.CampaignsPage })));
const SuppressionsPage = lazy(() => consoleMarketing().then((module) => ({ default: module.SuppressionsPage })));

const member = (page: ReactNode) => <RequireMember>{page}</RequireMember>;
const staff = (page: ReactNode) => <RequireStaff>{page}</RequireStaff>;

/** Member center routes. Later modules add theirs here (cases, privacy). The catalog is public. */
const memberRoutes: RouteDefinition[] = [
  { path: '/', render: () => <WelcomePage /> },
  { path: '/sign-in', render: () => <SignInPage /> },
  { path: '/sign-up', render: () => <SignUpPage /> },
  { path: '/sign-up/complete', render: () => <CompleteSignUpPage /> },
  { path: '/verify-email', render: () => <VerifyEmailPage /> },
  { path: '/forgot-password', render: () => <ForgotPasswordPage /> },
  { path: '/reset-password', render: () => <ResetPasswordPage /> },
  { path: '/account', render: () => member(<AccountHomePage />) },
  { path: '/shop', render: () => <ShopPage /> },
  { path: '/shop/products/:id', render: ({ id }) => <ProductPage key={id} productId={id!} /> },
  { path: '/shop/cart', render: () => member(<CartPage />) },
  { path: '/shop/checkout', render: () => member(<CheckoutPage />) },
  { path: '/shop/rewards', render: () => member(<RewardsPage />) },
  { path: '/account/orders', render: () => member(<OrdersPage />) },
  { path: '/account/orders/:id', render: ({ id }) => member(<OrderPage key={id} orderId={id!} />) },
  { path: '/account/credits', render: () => member(<CreditsPage />) },
  { path: '/account/membership', render: () => member(<MembershipPage />) },
  { path: '/account/profile', render: () => member(<ProfilePage />) },
  { path: '/account/security', render: () => member(<SecurityPage />) },
  { path: '/account/returns', render: () => member(<ReturnsPage />) },
  { path: '/account/returns/new', render: () => member(<NewReturnPage />) },
  { path: '/account/returns/:caseId', render: ({ caseId }) => member(<ReturnPage key={caseId} caseId={caseId!} />) },
  // The public after-sales pages: no sign-in (AS-1, AS-12).
  { path: '/returns/new', render: () => <GuestNewCasePage /> },
  { path: '/returns/confirm', render: () => <GuestConfirmPage /> },
  { path: '/returns/status/:caseId', render: ({ caseId }) => <GuestStatusPage key={caseId} caseId={caseId!} /> },
  // The privacy center (PV-1..PV-17): the member's section, and the public pages (no sign-in) the emails link to.
  { path: '/account/privacy', render: () => member(<MemberPrivacyPage />) },
  { path: '/account/privacy/requests/:requestId', render: ({ requestId }) => member(<MemberRequestPage key={requestId} requestId={requestId!} />) },
  { path: '/account/privacy/requests/:requestId/appeal', render: ({ requestId }) => member(<MemberRequestPage key={requestId} requestId={requestId!} appeal />) },
  { path: '/privacy/request', render: () => <PrivacyRequestFormPage /> },
  // "Your privacy choices" (PV-23, PV-24): cookie categories, GPC status and the rights requests, signed in or not.
  { path: '/privacy/choices', render: () => <PrivacyChoicesPage /> },
  { path: '/account/privacy/choices', render: () => member(<PrivacyChoicesPage />) },
  { path: '/privacy/requests/:requestId', render: ({ requestId }) => <PrivacyRequestStatusPage key={requestId} requestId={requestId!} /> },
  { path: '/privacy/requests/:requestId/appeal', render: ({ requestId }) => <PrivacyRequestStatusPage key={requestId} requestId={requestId!} appeal /> },
  { path: '/privacy/requests/:requestId/confirm-agent', render: ({ requestId }) => <ConfirmAgentPage key={requestId} requestId={requestId!} /> },
  { path: '/privacy/exports/:exportId', render: ({ exportId }) => <ExportDownloadPage key={exportId} exportId={exportId!} /> },
  // Marketing: the member's preferences, and the public newsletter and unsubscribe pages (no sign-in).
  { path: '/account/communication', render: () => member(<CommunicationPreferencesPage />) },
  { path: '/newsletter', render: () => <NewsletterPage /> },
  { path: '/newsletter/confirm', render: () => <NewsletterConfirmPage /> },
  { path: '/unsubscribe/:token', render: ({ token }) => <UnsubscribePage key={token} token={token!} /> },
];

/** Agent console routes. Later modules add the case queue, rights requests and audit log here. */
const consoleRoutes: RouteDefinition[] = [
  { path: '/console', render: () => <Redirect to="/console/members" /> },
  { path: '/console/sign-in', render: () => <ConsoleSignInPage /> },
  { path: '/console/members', render: () => staff(<MemberLookupPage />) },
  { path: '/console/members/:id', render: ({ id }) => staff(<MemberDetailPage key={id} memberId={id!} />) },
  { path: '/console/members/:id/credits', render: ({ id }) => staff(<MemberCreditsPage key={id} memberId={id!} />) },
  { path: '/console/orders', render: () => staff(<OrdersConsolePage />) },
  { path: '/console/orders/:id', render: ({ id }) => staff(<OrderConsolePage key={id} orderId={id!} />) },
  { path: '/console/catalog', render: () => staff(<CatalogProductsPage />) },
  { path: '/console/catalog/rewards', render: () => staff(<CatalogRewardsPage />) },
  { path: '/console/external-orders', render: () => staff(<ExternalOrdersPage />) },
  { path: '/console/webhooks', render: () => staff(<WebhooksPage />) },
  { path: '/console/outgoing-webhooks', render: () => staff(<OutgoingWebhooksPage />) },
  { path: '/console/outgoing-webhooks/:id', render: ({ id }) => staff(<OutgoingWebhookPage key={id} endpointId={id!} />) },
  { path: '/console/flows', render: () => staff(<FlowsPage />) },
  { path: '/console/credits', render: () => staff(<CreditsProgramPage />) },
  { path: '/console/memberships', render: () => staff(<PastDueMembershipsPage />) },
  { path: '/console/mail', render: () => staff(<MailPage />) },
  { path: '/console/mail/:id', render: ({ id }) => staff(<MailPage messageId={id} />) },
  { path: '/console/cases', render: () => staff(<CasesQueuePage />) },
  { path: '/console/cases/:caseId', render: ({ caseId }) => staff(<CaseConsolePage key={caseId} caseId={caseId!} />) },
  { path: '/console/privacy', render: () => staff(<PrivacyQueuePage />) },
  { path: '/console/privacy/new', render: () => staff(<NewPrivacyRequestConsolePage />) },
  { path: '/console/privacy/:requestId', render: ({ requestId }) => staff(<PrivacyRequestConsolePage key={requestId} requestId={requestId!} />) },
  { path: '/console/marketing', render: () => staff(<CampaignsPage />) },
  { path: '/console/marketing/suppressions', render: () => staff(<SuppressionsPage />) },
];

function Screens() {
  const { pathname } = useLocation();
  if (pathname === '/console' || pathname.startsWith('/console/')) {
    return (
      <ConsoleLayout>
        <Suspense fallback={<Loading />}>
          <Routes routes={consoleRoutes} fallback={<NotFound home="/console" />} />
        </Suspense>
      </ConsoleLayout>
    );
  }
  return (
    <MemberLayout>
      <Suspense fallback={<Loading />}>
        <Routes routes={memberRoutes} fallback={<NotFound home="/" />} />
      </Suspense>
    </MemberLayout>
  );
}

export function App() {
  return (
    <SessionProvider>
      <ConsentProvider>
        <Screens />
        <CookieBanner />
      </ConsentProvider>
    </SessionProvider>
  );
}
