// The marketing module's public face (issue 11 parts 4-6; PV-26..PV-29, ST-10, NT-3, NT-5, NT-6): subscriptions per
// channel derived from consent records and the suppression list, campaigns sent in batches with consent checked per
// recipient at sending, one-click unsubscribe, open/click tracking only with consent, texts with STOP/HELP, and the
// newsletter sign-up with its one-time first-order code.
import type { JobHandler } from '../../jobs/index.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { sendCampaignJob, sendCampaignJobType } from './campaigns.service.ts';
import { campaignEmail } from './emails/campaign.ts';
import { confirmSubscriptionEmail } from './emails/confirm-subscription.ts';
import { newsletterCodeEmail } from './emails/newsletter-code.ts';
import { unsubscribedEmail } from './emails/unsubscribed.ts';
import { registerMarketingRoutes } from './marketing.routes.ts';
import { sendText, sendTextJobType } from './texts.service.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => registerMarketingRoutes(app, deps);

export const jobHandlers: Record<string, JobHandler> = { [sendCampaignJobType]: sendCampaignJob, [sendTextJobType]: sendText };

export const templates = [campaignEmail, confirmSubscriptionEmail, unsubscribedEmail, newsletterCodeEmail];

export { marketingPersonalData as personalData } from './marketing.data-map.ts';

export { createCampaign, scheduleCampaign, cancelCampaign, getCampaign, listCampaigns, previewAudience, sendCampaignBatch, decideRecipient, sendCampaignJobType, type Campaign, type CampaignInput } from './campaigns.service.ts';
export { changeSubscription, channelStatus, type ChannelStatus, type SubscriptionChange } from './subscriptions.service.ts';
export { signUpForNewsletter, confirmNewsletterSignUp, issueNewsletterCode } from './newsletter.service.ts';
export { unsubscribe, describeUnsubscribe, type UnsubscribeScope } from './unsubscribe.service.ts';
export { receiveInboundText, stopConfirmationText, startConfirmationText, helpText } from './sms.service.ts';
export { addSuppression, removeSuppression, listSuppressions } from './suppressions.service.ts';
export { getPreferences, setPreferences } from './preferences.service.ts';
export { smsKeywordOf, stopKeywords, signToken, verifyToken, signSmsWebhook, smsWebhookSecret, smsWebhookHeaders, newsletterEmailKey, listUnsubscribeHeaders } from './marketing.rules.ts';
export { smsWebhookPath } from './marketing.routes.ts';
export { sendBatchSize } from './campaigns.rules.ts';
export { channels, suppressionReasons, type Channel, type SuppressionReason } from './marketing.table.ts';
