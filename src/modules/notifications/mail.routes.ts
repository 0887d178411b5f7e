// The console's mail view (NT-2): every message in the outbox, sent or held, for agents.
import type { Deps } from '../../deps.ts';
import { requireRole } from '../../http/principal.ts';
import type { ZodApp } from '../../http/types.ts';
import { notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { getMessage, listMessages } from './outbox.service.ts';
import { mailListQuery, mailParams, messageListView, messageView, toMessageView, toSummaryView } from './mail.schemas.ts';

export function registerMailRoutes(app: ZodApp, deps: Deps): void {
  app.get(
    '/agent/mail',
    { schema: { tags: ['notifications'], summary: 'List outbox messages, newest first', querystring: mailListQuery, response: { 200: messageListView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      const { limit, before } = request.query;
      const messages = await listMessages(deps, { limit, before });
      const last = messages.at(-1);
      return { messages: messages.map(toSummaryView), nextBefore: messages.length === limit && last ? last.id : null };
    },
  );

  app.get(
    '/agent/mail/:id',
    { schema: { tags: ['notifications'], summary: 'Read one outbox message with its HTML and text parts', params: mailParams, response: { 200: messageView } }, config: { auth: 'agent' } },
    async (request) => {
      const staff = requireRole(request, 'agent');
      const message = await getMessage(deps, request.params.id);
      if (!message) throw notFound('The message');
      // Reading a member's mail is agent access to member data, which the audit log covers (PV-33).
      if (message.memberId !== null) {
        await recordAudit(deps, {
          actor: { id: staff.memberId, role: staff.role === 'admin' ? 'admin' : 'agent' },
          action: 'mail.viewed',
          memberId: message.memberId,
          subject: message.id,
        });
      }
      return toMessageView(message);
    },
  );
}
