// The newsletter's first-order discount code (ST-10), sent once per address ever.
import { z } from 'zod';
import { defineTemplate } from '../../notifications/index.ts';

export const newsletterCodeEmail = defineTemplate(
  'marketing-newsletter-code',
  z.strictObject({ code: z.string().regex(/^[A-Z0-9_-]{3,32}$/), percent: z.number().int().min(1).max(100) }),
  (data) => ({
    subject: `Your ${data.percent}% welcome code`,
    blocks: [
      { kind: 'paragraph', text: `Thanks for subscribing to our newsletter. Here is ${data.percent}% off your first purchase:` },
      { kind: 'table', columns: ['Code', 'Discount'], rows: [[data.code, `${data.percent}% off your first order`]] },
      { kind: 'note', text: 'The code works once, on your first order. You can unsubscribe from our news and offers at any time.' },
    ],
  }),
  { code: 'WELCOME-7Q2K9XH4', percent: 15 },
);
