// The Fastify instance type every module's routes are written against (zod schemas in, zod schemas out).
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../deps.ts';

export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** A module's HTTP face: registered under /api/v1 by app.ts. */
export type RegisterRoutes = (app: ZodApp, deps: Deps) => void | Promise<void>;
