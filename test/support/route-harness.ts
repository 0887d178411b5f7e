// One module's routes alone under /api/v1, with a staff principal taken from the `x-test-role` header, for
// module tests that check a route's role rules without signing anyone in (the accounts module does that for real).
// Writes need the header `x-csrf-token: csrf` like the app's, since the same guards run.
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
  // The app's own guards (caller, CSRF, declared config.auth before validation), with the caller taken from the header.
  installRouteGuards(app, {
    apiPrefix: '/api/v1',
    async principalOf(request) {
      const role = request.headers['x-test-role'];
      if (typeof role !== 'string' || !(roles as readonly string[]).includes(role)) return null;
      return { kind: 'session', memberId: 'mem_staff', role: role as Role, sessionId: 'ses_test', csrfToken: 'csrf' };
    },
  });
  await app.register(async (api) => register(api.withTypeProvider<ZodTypeProvider>(), deps), { prefix: '/api/v1' });
  await app.ready();
  return app;
}
