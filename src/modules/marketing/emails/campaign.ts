// A promotional email (PV-27): the agent's text, escaped by the layout, its links (tracked only with consent, PV-29)
// and the per-campaign unsubscribe link. The List-Unsubscribe headers travel with the outbox row, not the body.
import { z } from 'zod';
import { defineTemplate, templateFields, type Block } from '../../notifications/index.ts';

export const campaignEmail = defineTemplate(
  'marketing-campaign',
  z.strictObject({
    subject: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(20_000),
    /** The body's links in order, each as the recipient should follow it (a tracked redirect or the link itself). */
    links: z.array(z.strictObject({ label: z.string().min(1).max(200), url: templateFields.link })).max(20),
    unsubscribeUrl: templateFields.link,
    /** The open pixel, only when the recipient consented to tracking (PV-29). */
    pixelUrl: templateFields.link.optional(),
  }),
  (data) => {
    const blocks: Block[] = data.body.split(/\n\s*\n/).map((text) => ({ kind: 'paragraph', text: text.trim() }));
    for (const link of data.links) blocks.push({ kind: 'action', label: link.label, url: link.url });
    blocks.push({ kind: 'note', text: 'You receive this because you subscribed to our news and special offers. Unsubscribe from this campaign or from all promotional email:' });
    blocks.push({ kind: 'action', label: 'Unsubscribe', url: data.unsubscribeUrl });
    if (data.pixelUrl) blocks.push({ kind: 'pixel', url: data.pixelUrl });
    return { subject: data.subject, blocks };
  },
  {
    subject: 'Spring sale: 20% off boots',
    body: 'Our spring sale starts today.\n\nSee the collection at https://shop.example/spring',
    links: [{ label: 'shop.example/spring', url: 'https://shop.example/spring' }],
    unsubscribeUrl: 'https://shop.example/unsubscribe/dlv_sample.token',
  },
);
