// A tiny history-based router: the current location as React state, links that push history, path patterns.
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentHref = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: URLSearchParams;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

let navigations = 0;

/** Client-side navigation. The history entry carries a state object, so pages know they were reached in-app. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  navigations += 1;
  if (options.replace) window.history.replaceState({ navigation: navigations }, '', to);
  else window.history.pushState({ navigation: navigations }, '', to);
  notify();
  window.scrollTo(0, 0);
}

/** Matches `/console/members/:id` against a path; returns the named parameters, or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < patternParts.length; index += 1) {
    const expected = patternParts[index]!;
    const actual = pathParts[index]!;
    if (expected.startsWith(':')) params[expected.slice(1)] = decodeURIComponent(actual);
    else if (expected !== actual) return null;
  }
  return params;
}

export interface RouteDefinition {
  path: string;
  render: (params: Record<string, string>) => ReactNode;
}

/** Renders the first route whose pattern matches the current path, or `fallback`. */
export function Routes({ routes, fallback }: { routes: readonly RouteDefinition[]; fallback: ReactNode }) {
  const { pathname } = useLocation();
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return <>{route.render(params)}</>;
  }
  return <>{fallback}</>;
}

/** Redirects on mount (for pages that need a session, or none). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

function isPlainLeftClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey && !event.defaultPrevented;
}

export function Link({ to, onClick, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={to}
      onClick={(event) => {
        onClick?.(event);
        if (!isPlainLeftClick(event) || rest.target) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}

const within = (pathname: string, path: string) => pathname === path || pathname.startsWith(`${path}/`);

/**
 * A navigation link that marks itself as the current page (aria-current) when its path is the current one, or one
 * below it unless `exact`; paths in `exclude` belong to another link (`/shop/rewards` is not the shop).
 */
export function NavLink({ to, exact = false, exclude = [], ...rest }: LinkProps & { exact?: boolean; exclude?: readonly string[] }) {
  const { pathname } = useLocation();
  const current = (exact ? pathname === to : within(pathname, to)) && !exclude.some((path) => within(pathname, path));
  return <Link {...rest} to={to} aria-current={current ? 'page' : undefined} />;
}
