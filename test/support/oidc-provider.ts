// A real OpenID Connect provider (oidc-provider) on 127.0.0.1, for end-to-end sign-in tests (AC-7), and a small
// browser stand-in that follows its redirects and fills in its development login form.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderAccount {
  /** What the test types in the provider's login form; also the subject (`sub`). */
  login: string;
  email: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  birthdate?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces an account the login form will accept. */
  addAccount(account: ProviderAccount): void;
  close(): Promise<void>;
}

/**
 * oidc-provider ships without type declarations; this is the part of its surface the test uses. The import
 * specifier is a variable so TypeScript does not look for declarations that do not exist.
 */
interface OidcGrant {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface OidcContext {
  oidc: {
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: { Grant: { new (input: { clientId: string; accountId: string }): OidcGrant; find(id: string): Promise<OidcGrant | undefined> } };
  };
}
interface OidcProviderInstance {
  callback(): (request: unknown, response: unknown) => void;
}
interface OidcProviderModule {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => OidcProviderInstance;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** The provider prints development-mode notices on stderr; they say nothing about the test, so they are dropped. */
function muteProviderNotices(): () => void {
  const original = console.warn;
  const originalInfo = console.info;
  const filter =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      write(...args);
    };
  console.warn = filter(original);
  console.info = filter(originalInfo);
  return () => {
    console.warn = original;
    console.info = originalInfo;
  };
}

/** Starts a provider with one confidential client whose only redirect URI is `redirectUri`. */
export async function startTestOidcProvider(options: { redirectUri: string }): Promise<TestOidcProvider> {
  const moduleName = 'oidc-provider';
  const { Provider } = (await import(moduleName)) as OidcProviderModule;
  const accounts = new Map<string, ProviderAccount>();
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'patron-test';
  const clientSecret = 'patron-test-client-secret-0123456789';
  const unmute = muteProviderNotices();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    cookies: { keys: ['patron-test-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name', 'birthdate'] },
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: account.emailVerified,
            ...(account.givenName ? { given_name: account.givenName } : {}),
            ...(account.familyName ? { family_name: account.familyName } : {}),
            ...(account.birthdate ? { birthdate: account.birthdate } : {}),
          };
        },
      };
    },
    // A first-party style provider: the person consents by signing in, so no consent screen is shown.
    async loadExistingGrant(ctx: OidcContext) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', (request, response) => handle(request, response));
  return {
    issuer,
    clientId,
    clientSecret,
    addAccount(account) {
      accounts.set(account.login, account);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        unmute();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Cookies by name, as a browser would keep them for the provider's one origin (paths ignored: all are ours). */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair!.indexOf('=');
      if (index > 0) this.#cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Plays the browser at the provider: opens the authorization URL, signs in as `login` on the development login
 * form, and follows redirects until the provider sends the browser back to `redirectPrefix`. Returns that URL.
 */
export async function signInAtProvider(authorizationUrl: string, login: string, redirectPrefix: string): Promise<URL> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    jar.store(response);
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      await response.arrayBuffer();
      const next = new URL(location, url);
      if (next.href.startsWith(redirectPrefix)) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    if (response.status === 200 && /name="prompt" value="login"/.test(html)) {
      // The development login form: any password is accepted for a login the provider knows.
      body = new URLSearchParams({ prompt: 'login', login, password: 'any-password' });
      continue;
    }
    throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${html.slice(0, 300)}`);
  }
  throw new Error('the provider redirected more than 10 times');
}
