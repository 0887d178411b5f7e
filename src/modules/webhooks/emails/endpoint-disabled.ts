// Tells the admins that an outgoing webhook endpoint was disabled after failing for days (issue 13): which one, since
// when, the last error, and where to look. The endpoint's address is shown by host only (a path may carry a token).
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc, templateFields } from '../../notifications/index.ts';

export const endpointDisabledEmail = defineTemplate(
  'webhook-endpoint-disabled',
  z.strictObject({
    endpointId: z.string().regex(/^whe_[0-9a-z]+$/),
    host: z.string().min(1).max(300),
    failingSince: z.iso.datetime(),
    days: z.number().int().min(1).max(365),
    lastError: z.string().regex(/^[a-z0-9_]{1,60}$/).nullable(),
    link: templateFields.link,
  }),
  (data) => ({
    subject: `Webhook endpoint ${data.host} was disabled`,
    blocks: [
      { kind: 'paragraph', text: `Deliveries to the webhook endpoint ${data.endpointId} (${data.host}) have failed since ${formatDateTimeUtc(data.failingSince)}, more than ${data.days} ${data.days === 1 ? 'day' : 'days'}, so Patron disabled it.` },
      ...(data.lastError ? [{ kind: 'paragraph' as const, text: `The last attempt failed with: ${data.lastError}.` }] : []),
      { kind: 'paragraph', text: 'Its events are kept and wait, in order. Once the endpoint answers again, enable it in the console and they go out; deliveries already given up can be redelivered from the log.' },
      { kind: 'action', label: 'Open the endpoint', url: data.link },
    ],
  }),
  { endpointId: 'whe_01j0000000000000000000', host: 'hooks.example.com', failingSince: '2026-05-02T17:00:00.000Z', days: 3, lastError: 'http_503', link: 'https://patron.example/console/outgoing-webhooks/whe_01j0000000000000000000' },
);
