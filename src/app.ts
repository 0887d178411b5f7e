// buildApp(deps): the whole HTTP surface as a Fastify instance, without listen (tests use inject).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { z } from 'zod';
import type { Deps } from './deps.ts';
import { pingDatabase } from './db/database.ts';
import { installErrorHandler, sendNotFound } from './http/error-handler.ts';
import { installRouteGuards, principalFromCredentials } from './http/route-guards.ts';
import { installMetrics } from './http/metrics.ts';
import { sessionCookieName, type Authenticate } from './http/principal.ts';
import type { ZodApp } from './http/types.ts';
import { pathOnly } from './platform/logger.ts';
import { registerClockRoutes } from './http/clock.routes.ts';
import { createAuthenticator } from './modules/accounts/index.ts';
import { modules } from './modules.ts';
import { metrics as notificationMetrics } from './modules/notifications/index.ts';
import { metrics as creditMetrics } from './modules/credits/index.ts';

const webDist = fileURLToPath(new URL('../web/dist/', import.meta.url));

export interface AppOptions {
  /** Serve the built UI from web/dist (main does; most tests don't need it). */
  serveWeb?: boolean;
  /** Rate limits are on by default; some load tests turn them off. */
  rateLimits?: boolean;
}

export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<ZodApp> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's own request lines would log full URLs (tokens ride in query strings); ours log the path only.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => deps.ids.next('req'),
    requestIdHeader: false,
    trustProxy: deps.config.http.trustProxy,
    bodyLimit: 1_048_576,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(fastifyCookie);
  // Security headers on every response, built once: @fastify/helmet built the middleware (parsing the CSP
  // directives) again for every request, 12 % of a signed-in balance read's CPU (PF-9, docs/PERFORMANCE.md).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    frameguard: { action: 'deny' },
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined)));
  // Routes declare their own limits (config.rateLimit); load tests may switch them all off.
  if (options.rateLimits !== false) await app.register(fastifyRateLimit, { global: false });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });
  const logEachRequest = deps.logger.isLevelEnabled('info');
  app.addHook('onResponse', async (request, reply) => {
    // The line's object is built only when it will be written (PATRON_LOG_LEVEL=warn skips it on every request).
    if (logEachRequest) request.log.info({ method: request.method, url: pathOnly(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const authenticate: Authenticate = createAuthenticator(deps);
  // Caller, CSRF and each route's declared config.auth are checked before the body is validated (route-guards.ts).
  installRouteGuards(app, { principalOf: principalFromCredentials(authenticate), apiPrefix: '/api/v1', exemptPrefixes: ['/api/v1/docs'] });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Patron API', version: '1', description: 'Rewards credits, Plus membership, after-sales and privacy for direct-to-consumer stores.' },
      servers: [{ url: deps.config.http.publicUrl }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await pingDatabase(deps.db);
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
  installMetrics(app, { db: deps.db, nowMs: () => deps.clock.nowMs(), metrics: [...notificationMetrics, ...creditMetrics] });
  for (const module of modules) await module.registerSiteRoutes?.(app, deps);

  await app.register(
    async (api) => {
      const zodApi = api.withTypeProvider<ZodTypeProvider>();
      zodApi.get('/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());
      zodApi.get('/version', { schema: { tags: ['platform'], response: { 200: z.object({ name: z.literal('patron'), apiVersion: z.literal(1), clockMode: z.enum(['system', 'simulated']) }) } }, config: { auth: 'public' } }, async () => ({
        name: 'patron' as const,
        apiVersion: 1 as const,
        clockMode: deps.clock.mode,
      }));
      if (deps.clock.mode === 'simulated') registerClockRoutes(zodApi, deps);
      for (const module of modules) await module.registerRoutes?.(zodApi, deps);
    },
    { prefix: '/api/v1' },
  );

  const serveWeb = options.serveWeb === true && existsSync(webDist);
  if (serveWeb) await app.register(fastifyStatic, { root: webDist, wildcard: false });
  // The UI's routes (/account, /console/…) belong to the single-page app: a GET outside /api gets index.html.
  app.setNotFoundHandler((request, reply) => {
    if (serveWeb && request.method === 'GET' && !request.url.startsWith('/api/')) return reply.sendFile('index.html');
    return sendNotFound(request, reply);
  });

  return app;
}
