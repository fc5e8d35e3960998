// The signed-in frame: top bar (language, theme, user, sign out), the side navigation of the current
// workspace, project or cluster, the connection banner, and the page.
import { Suspense, useMemo } from 'react';
import { NavLink, Outlet, matchPath, useLocation } from 'react-router';
import { useDecisions } from '../access/context';
import { accessKey } from '../access/rules';
import { useSession } from '../auth/session';
import { type Locale, locales, useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { type ThemeMode, useTheme } from '../ui/theme';
import { ConnectionBanner } from './ConnectionBanner';
import { type NavContext, filterNav, navRequirements, navSections } from './nav';
import { PageErrorBoundary } from '../components/PageErrorBoundary';

export function navContextOf(pathname: string): NavContext {
  const p = matchPath('/workspaces/:ws/projects/:p/*', pathname);
  if (p) return { workspace: p.params.ws, project: p.params.p };
  const w = matchPath('/workspaces/:ws/*', pathname);
  if (w) return { workspace: w.params.ws };
  const c = matchPath('/cluster/:c/*', pathname);
  if (c) return { cluster: c.params.c };
  return {};
}

const localeNames: Record<Locale, string> = { en: 'English', vi: 'Tiếng Việt', zh: '中文' };

export function Preferences() {
  const { t, locale, setLocale } = useI18n();
  const { mode, setMode } = useTheme();
  return (
    <>
      <label className="visually-hidden" htmlFor="pref-locale">
        {t('prefs.language')}
      </label>
      <select id="pref-locale" className="input" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {locales.map((l) => (
          <option key={l} value={l} lang={l}>
            {localeNames[l]}
          </option>
        ))}
      </select>
      <label className="visually-hidden" htmlFor="pref-theme">
        {t('prefs.theme')}
      </label>
      <select id="pref-theme" className="input" value={mode} onChange={(e) => setMode(e.target.value as ThemeMode)}>
        <option value="system">{t('prefs.themeSystem')}</option>
        <option value="light">{t('prefs.themeLight')}</option>
        <option value="dark">{t('prefs.themeDark')}</option>
      </select>
    </>
  );
}

export function Shell() {
  const { t } = useI18n();
  const { session, identity, logout } = useSession();
  const location = useLocation();
  const { workspace, project, cluster } = navContextOf(location.pathname);
  const all = useMemo(() => navSections({ workspace, project, cluster }), [workspace, project, cluster]);
  const reqs = useMemo(() => navRequirements(all), [all]);
  const decisions = useDecisions(reqs);
  const byKey = new Map(reqs.map((r, i) => [accessKey(r), decisions[i]]));
  const sections = filterNav(all, (req) => byKey.get(accessKey(req)) ?? 'pending');
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          Atrium
        </NavLink>
        <Preferences />
        <span className="muted" title={identity?.groups.length ? t('nav.userGroups', { groups: identity.groups.join(', ') }) : undefined}>
          <span className="visually-hidden">{t('nav.signedInAs', { user: session?.user ?? '' })}</span>
          <span aria-hidden="true">{session?.user}</span>
        </span>
        <Button variant="ghost" onClick={() => void logout()}>
          {t('nav.signOut')}
        </Button>
      </header>
      <nav className="sidenav" aria-label={t('nav.main')}>
        {sections.map((s) => (
          <section key={s.id} aria-labelledby={`nav-${s.id}`}>
            <h2 id={`nav-${s.id}`}>{s.titleArg ? `${t(s.title)}: ${s.titleArg}` : t(s.title)}</h2>
            <ul>
              {s.items.map((item) => (
                <li key={item.id}>
                  <NavLink to={item.to} end>
                    {t(item.label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <main className="main" id="main" tabIndex={-1}>
        <ConnectionBanner />
        <PageErrorBoundary>
          <Suspense fallback={<div className="spinner">{t('common.loading')}</div>}>
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
      </main>
    </div>
  );
}
