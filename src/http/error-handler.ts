// The one error handler (PL-9): AppErrors keep their code and message; everything unexpected is a masked 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, errorStatus, isAppError, type ErrorCode } from '../platform/errors.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

/** How long a client is asked to wait when the database cannot be reached (a restart takes seconds). */
export const databaseUnavailableRetryAfterSeconds = 5;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; requestId: string };
}

function send(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, message: string, details?: unknown) {
  const body: ErrorBody = { error: { code, message, requestId: String(request.id) } };
  if (details !== undefined) body.error.details = details;
  return reply.status(errorStatus[code]).type('application/json').send(JSON.stringify(body));
}

/** Fastify's own client errors, by their code, mapped onto ours. */
function fromFastifyError(error: FastifyError): AppError | undefined {
  const status = error.statusCode ?? 500;
  if (status === 413) return new AppError('payload_too_large', 'The request body is too large.');
  if (status === 429) return new AppError('rate_limited', 'Too many requests. Please wait a moment and try again.');
  if (status === 415) return new AppError('bad_request', 'Send the request body as application/json.');
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new AppError('bad_request', 'The request body is not valid JSON.');
  }
  if (status >= 400 && status < 500) return new AppError('bad_request', 'The request could not be understood.');
  return undefined;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (isAppError(error)) {
      // A refusal that says when to come back (a throttled sign-in) says it in the standard header too.
      const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (error.code === 'rate_limited' && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return send(reply, request, error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({
        path: `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`,
        message: issue.message,
      }));
      return send(reply, request, 'validation', 'Some fields are missing or invalid.', details);
    }
    if (!isResponseSerializationError(error)) {
      const mapped = fromFastifyError(error as FastifyError);
      if (mapped) return send(reply, request, mapped.code, mapped.message);
    }
    if (isDatabaseUnavailable(error)) {
      // Not a bug but a passing state (PostgreSQL restarting, drill (b)): a 503 the client can retry, not a masked 500.
      request.log.warn({ errorCode: (error as { code?: unknown }).code ?? null }, 'database unavailable');
      reply.header('retry-after', String(databaseUnavailableRetryAfterSeconds));
      return send(reply, request, 'unavailable', 'The service is briefly unavailable: its database cannot be reached. Retry in a few seconds.');
    }
    request.log.error({ err: error }, 'unexpected error');
    return send(reply, request, 'internal', 'Something went wrong on our side. Quote the request ID if you contact support.');
  });
}

export function sendNotFound(request: FastifyRequest, reply: FastifyReply) {
  return send(reply, request, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
}
