// The signed-in person, loaded once from GET /api/v1/session and shared with every page.
import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, onSessionEnded, setCsrfToken } from './api/client.ts';
import { accountsApi, type SessionMember, type SessionView } from './api/accounts.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out' }
  | { status: 'signed_in'; member: SessionMember }
  | { status: 'error'; message: string };

interface SessionContextValue {
  state: SessionState;
  /** Reloads the session (after sign-in, or when the CSRF token may have changed). */
  refresh(): Promise<SessionState>;
  /** Takes the session a sign-in or sign-up answered with (member and CSRF token), without asking again. */
  adopt(view: SessionView): SessionState;
  signOut(): Promise<void>;
  /** The server already ended the session (sign out everywhere): forget it here too. */
  forget(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function loadSession(): Promise<SessionState> {
  try {
    const session = await accountsApi.session();
    setCsrfToken(session.csrfToken);
    return { status: 'signed_in', member: session.member };
  } catch (error) {
    setCsrfToken(undefined);
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) return { status: 'signed_out' };
    return { status: 'error', message: error instanceof Error ? error.message : 'Could not load your session.' };
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    const next = await loadSession();
    setState(next);
    return next;
  }, []);

  const adopt = useCallback((view: SessionView) => {
    setCsrfToken(view.csrfToken);
    const next: SessionState = { status: 'signed_in', member: view.member };
    setState(next);
    return next;
  }, []);

  const forget = useCallback(() => {
    setCsrfToken(undefined);
    setState({ status: 'signed_out' });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await accountsApi.signOut();
    } catch (error) {
      // An expired session is already signed out; anything else is worth showing.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    setCsrfToken(undefined);
    setState({ status: 'signed_out' });
  }, []);

  useEffect(() => {
    // A request answered "please sign in" while we thought we were signed in: the session expired or was
    // ended elsewhere. Guarded pages then send the person to sign in and back.
    onSessionEnded(() => setState({ status: 'signed_out' }));
    void refresh();
  }, [refresh]);

  const value = useMemo(() => ({ state, refresh, adopt, signOut, forget }), [state, refresh, adopt, signOut, forget]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = use(SessionContext);
  if (!value) throw new Error('useSession() needs a SessionProvider');
  return value;
}

export function isStaff(member: SessionMember): boolean {
  return member.role === 'agent' || member.role === 'admin';
}
