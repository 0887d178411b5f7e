// One module's routes alone under /api/v1, with a principal taken from the `x-test-role` header (its member ID from
// `x-test-member`, `mem_staff` by default), for module tests that check a route's role rules without signing anyone
// in (the accounts module does that for real).
// The app's own guards run (route-guards.ts); the fake session's CSRF token is sent for the test unless it sends one.
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../../src/deps.ts';
import { installErrorHandler } from '../../src/http/error-handler.ts';
import { roles, type Role } from '../../src/http/principal.ts';
import { installRouteGuards } from '../../src/http/route-guards.ts';
import type { RegisterRoutes } from '../../src/http/types.ts';

export async function buildRouteHarness(deps: Deps, register: RegisterRoutes) {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // Module tests check roles, not CSRF (the app's tests do): the fake session's token rides along unless a test sends one.
  app.addHook('onRequest', async (request) => {
    request.headers['x-csrf-token'] ??= 'csrf';
  });
  // The app's own guards (caller, CSRF, declared config.auth before validation), with the caller taken from the headers.
  installRouteGuards(app, {
    apiPrefix: '/api/v1',
    async principalOf(request) {
      const role = request.headers['x-test-role'];
      const memberId = request.headers['x-test-member'];
      if (typeof role !== 'string' || !(roles as readonly string[]).includes(role)) return null;
      return { kind: 'session', memberId: typeof memberId === 'string' ? memberId : 'mem_staff', role: role as Role, sessionId: 'ses_test', csrfToken: 'csrf' };
    },
  });
  await app.register(async (api) => register(api.withTypeProvider<ZodTypeProvider>(), deps), { prefix: '/api/v1' });
  await app.ready();
  return app;
}
