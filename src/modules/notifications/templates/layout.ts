// The shared email layout: a template describes its content as blocks, and both the HTML and the plain-text part
// are produced from them here, so the two parts always say the same thing and all data is escaped in one place.
import { escapeHtml } from './escape.ts';
import type { z } from 'zod';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export type Block =
  | { kind: 'paragraph'; text: string }
  /** A call to action carrying a link (the single-use link a message exists to carry, NT-4). */
  | { kind: 'action'; label: string; url: string }
  | { kind: 'note'; text: string }
  /** A small table: a row of headings and rows of cells; a list of the rows in the plain-text part. */
  | { kind: 'table'; columns: readonly string[]; rows: readonly (readonly string[])[] }
  /** A 1×1 image (a promotional email's open pixel, only where the recipient consented, PV-29); HTML part only. */
  | { kind: 'pixel'; url: string };

export interface EmailTemplate<S extends z.ZodType> {
  /** Stored on the outbox row; unique across modules (a test checks). */
  readonly name: string;
  readonly schema: S;
  /** Data that renders, for the mail preview and the test that renders every template. */
  readonly sample: z.input<S>;
  /** Validates `data` against the schema, then renders; invalid data is a bug in the caller and throws. */
  render(data: unknown): RenderedEmail;
}

/** A module defines its emails with this and lists them in its index.ts `templates` (src/modules.ts collects them). */
export function defineTemplate<S extends z.ZodType>(name: string, schema: S, compose: (data: z.output<S>) => { subject: string; blocks: Block[] }, sample: z.input<S>): EmailTemplate<S> {
  return {
    name,
    schema,
    sample,
    render(data) {
      const { subject, blocks } = compose(schema.parse(data));
      return renderEmail(subject, blocks);
    },
  };
}

export function greeting(firstName: string | undefined): Block {
  return { kind: 'paragraph', text: firstName ? `Hi ${firstName},` : 'Hello,' };
}

export function formatCredits(credits: number): string {
  return `${credits.toLocaleString('en-US')} ${credits === 1 ? 'credit' : 'credits'}`;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });

/** Members' time zones are not known here, so times are spelled out in UTC and say so. */
export function formatDateTimeUtc(iso: string): string {
  return `${dateTimeFormat.format(new Date(iso))} UTC`;
}

const footer = 'You are receiving this email because of activity on your account.';

const styles = {
  body: 'margin:0;padding:0;background:#f4f4f5;',
  wrapper: "max-width:560px;margin:0 auto;padding:24px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;",
  card: 'background:#ffffff;border-radius:8px;padding:32px;color:#18181b;font-size:16px;line-height:1.5;',
  paragraph: 'margin:0 0 16px;',
  button: 'display:inline-block;background:#18181b;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600;',
  small: 'margin:0 0 16px;font-size:13px;color:#71717a;word-break:break-all;',
  table: 'margin:0 0 16px;border-collapse:collapse;',
  cell: 'padding:4px 16px 4px 0;text-align:left;border-bottom:1px solid #e4e4e7;',
  footer: 'margin:16px 0 0;font-size:12px;color:#71717a;text-align:center;',
} as const;

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p style="${styles.paragraph}">${escapeHtml(block.text)}</p>`;
    case 'note':
      return `<p style="${styles.small}">${escapeHtml(block.text)}</p>`;
    case 'action': {
      const url = escapeHtml(block.url);
      return (
        `<p style="${styles.paragraph}"><a href="${url}" style="${styles.button}">${escapeHtml(block.label)}</a></p>` +
        `<p style="${styles.small}">If the button does not work, paste this address into your browser:<br>${url}</p>`
      );
    }
    case 'table': {
      const row = (tag: 'th' | 'td', cells: readonly string[]): string => `<tr>${cells.map((cell) => `<${tag} style="${styles.cell}">${escapeHtml(cell)}</${tag}>`).join('')}</tr>`;
      return `<table style="${styles.table}"><thead>${row('th', block.columns)}</thead><tbody>${block.rows.map((cells) => row('td', cells)).join('')}</tbody></table>`;
    }
    case 'pixel':
      return `<img src="${escapeHtml(block.url)}" width="1" height="1" alt="" style="display:block;border:0;">`;
  }
}

function blockText(block: Block): string | null {
  switch (block.kind) {
    case 'pixel':
      return null;
    case 'paragraph':
    case 'note':
      return block.text;
    case 'action':
      return `${block.label}:\n${block.url}`;
    case 'table':
      return block.rows.map((cells) => `- ${cells.join(' — ')}`).join('\n');
  }
}

export function renderEmail(subject: string, blocks: readonly Block[]): RenderedEmail {
  const html =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(subject)}</title></head>\n<body style="${styles.body}"><div style="${styles.wrapper}"><div style="${styles.card}">\n` +
    blocks.map(blockHtml).join('\n') +
    `\n</div><p style="${styles.footer}">${escapeHtml(footer)}</p></div></body></html>\n`;
  const text = `${blocks.map(blockText).filter((part) => part !== null).join('\n\n')}\n\n--\n${footer}\n`;
  return { subject, html, text };
}
