// The checks every API route gets before Fastify parses or validates its body (PL-13, PL-14, AC-9): who is calling,
// the CSRF token of a cookie-authenticated write, and the route's declared `config.auth`. A route under the API
// prefix that declares no `auth`, or a write that declares no body schema, is refused when it is registered, so a
// new module cannot forget either.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { checkCsrf } from './csrf.ts';
import { consumesMultipart } from './multipart.ts';
import { authorizeRoute, sessionCookieName, type Authenticate, type Principal } from './principal.ts';

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The body of a write that takes none: nothing (Fastify reads an absent body as null) or an empty JSON object (the
 * UI sends `{}`). Any key is refused, so an arbitrary document (5,000 levels deep, say) is a 400 rather than
 * something a handler ignores (PL-13).
 */
export const noBody = z.strictObject({}).nullish();

export interface RouteGuardOptions {
  /** Resolves the caller of a request (the app reads the session cookie or the API key; test harnesses fake it). */
  principalOf(request: FastifyRequest): Promise<Principal | null>;
  /** Routes under this prefix must declare `config.auth`, and their writes a body schema. */
  apiPrefix: string;
  /** Paths under the prefix served by plugins, not by us (the browsable API reference). */
  exemptPrefixes?: readonly string[];
}

/** The session cookie or the `Authorization: Bearer` API key of a request, turned into a principal. */
export function principalFromCredentials(authenticate: Authenticate): RouteGuardOptions['principalOf'] {
  return async (request) => {
    const sessionToken = request.cookies[sessionCookieName];
    const authorization = request.headers.authorization;
    const apiKey = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    return sessionToken || apiKey ? authenticate({ sessionToken, apiKey }) : null;
  };
}

/** What is wrong with a route's declaration (empty when nothing is): for the registration check and its test. */
export function routeDeclarationProblems(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>, options: Pick<RouteGuardOptions, 'apiPrefix' | 'exemptPrefixes'>): string[] {
  const url = route.url;
  if (!url.startsWith(`${options.apiPrefix}/`) || options.exemptPrefixes?.some((prefix) => url.startsWith(prefix))) return [];
  const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => String(m).toUpperCase());
  const problems: string[] = [];
  const config = route.config as { auth?: unknown } | undefined;
  if (config?.auth === undefined) problems.push(`${methods.join(',')} ${url} declares no config.auth`);
  if (methods.some((m) => writeMethods.has(m)) && route.schema?.body === undefined) problems.push(`${methods.join(',')} ${url} is a write without a body schema (use noBody)`);
  // A multipart form is read by the handler (multipart.ts), so its limits must be declared with the route.
  if (consumesMultipart(route.schema) && (config as { multipart?: unknown } | undefined)?.multipart === undefined) {
    problems.push(`${methods.join(',')} ${url} consumes multipart/form-data without config.multipart limits`);
  }
  return problems;
}

export function installRouteGuards(app: FastifyInstance, options: RouteGuardOptions): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const problems = routeDeclarationProblems(route, options);
    if (problems.length > 0) throw new Error(`route declaration: ${problems.join('; ')}`);
  });
  // onRequest runs before the body is read: authentication, CSRF and the route's role come before any validation.
  app.addHook('onRequest', async (request) => {
    request.principal = await options.principalOf(request);
    checkCsrf(request);
    const auth = request.routeOptions.config.auth;
    if (auth !== undefined) authorizeRoute(request, auth);
  });
}
