// The signed-in session. POST /api/v1/login sets an HttpOnly cookie (the console never sees or stores the
// token); the user name and expiry it answers are kept in localStorage so a reload stays signed in. The
// session ends at its expiry, on any 401 (expired or revoked elsewhere) and on logout; the first two send
// the user to the login page with a message. At start, GET /api/v1/whoami confirms that the cookie is still
// good (a 401 ends the session at once rather than at the first page's request) and gives the user's groups.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';
import { paths } from '../api/endpoints';
import type { LoginResult } from '../api/types';

export interface Session {
  user: string;
  expiresAtMs: number;
}

export interface Identity {
  user: string;
  groups: string[];
  authMethod: string;
}

export type EndReason = 'expired' | 'logout';

const storageKey = 'atrium.session';

export function loadSession(now = Date.now()): Session | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.user !== 'string' || typeof s.expiresAtMs !== 'number' || s.expiresAtMs <= now) return null;
    return { user: s.user, expiresAtMs: s.expiresAtMs };
  } catch {
    return null;
  }
}

function saveSession(s: Session | null): void {
  try {
    if (s) localStorage.setItem(storageKey, JSON.stringify(s));
    else localStorage.removeItem(storageKey);
  } catch {
    // storage unavailable: the session lasts until reload
  }
}

interface SessionValue {
  session: Session | null;
  identity: Identity | null;
  ended: EndReason | null;
  login: (username: string, password: string) => Promise<Session>;
  logout: () => Promise<void>;
  expire: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ api, children, initial }: { api: ApiClient; children: ReactNode; initial?: Session | null }) {
  const [session, setSession] = useState<Session | null>(() => (initial === undefined ? loadSession() : initial));
  const [ended, setEnded] = useState<EndReason | null>(null);
  const [identity, setIdentity] = useState<Identity | null>(null);

  const expire = useCallback(() => {
    setSession((current) => {
      if (current) setEnded('expired');
      return null;
    });
    saveSession(null);
  }, []);

  useEffect(() => {
    api.setSessionExpiredHandler(() => expire());
    return () => api.setSessionExpiredHandler(undefined);
  }, [api, expire]);

  // Who the cookie belongs to (and whether it still works), once per signed-in user.
  const user = session?.user;
  useEffect(() => {
    if (!user) {
      setIdentity(null);
      return;
    }
    let live = true;
    api.get<Identity>(paths.whoami).then(
      (w) => {
        if (!live) return;
        setIdentity({ user: w.user, groups: Array.isArray(w.groups) ? w.groups : [], authMethod: w.authMethod ?? '' });
      },
      () => {
        // a 401 already ended the session (the client's handler); anything else: keep what we know
      },
    );
    return () => {
      live = false;
    };
  }, [api, user]);

  // Leave at the expiry the server announced, without waiting for a request to fail.
  useEffect(() => {
    if (!session) return;
    const ms = session.expiresAtMs - Date.now();
    const timer = setTimeout(expire, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => clearTimeout(timer);
  }, [session, expire]);

  const login = useCallback(
    async (username: string, password: string) => {
      const r = await api.post<LoginResult>(paths.login, { username, password }, { anonymous: true });
      const s = { user: r.user, expiresAtMs: r.expiresAtMs };
      saveSession(s);
      setEnded(null);
      setSession(s);
      return s;
    },
    [api],
  );

  const logout = useCallback(async () => {
    try {
      await api.post(paths.logout, {}, { anonymous: true });
    } catch {
      // the cookie may be gone already; the local session ends regardless
    }
    saveSession(null);
    setEnded('logout');
    setSession(null);
  }, [api]);

  const value = useMemo(
    () => ({ session, identity, ended, login, logout, expire }),
    [session, identity, ended, login, logout, expire],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
