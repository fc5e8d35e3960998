// Sign in with a user name and password. The same form serves local and LDAP users: atrium tries its
// directory when LDAP is configured (POST /api/v1/login). After a session expired, says so.
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, NetworkError } from '../api/errors';
import { useSession } from '../auth/session';
import { useT } from '../i18n';
import { Preferences } from '../shell/Shell';
import { Banner } from '../ui/Banner';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';

export default function Login() {
  const t = useT();
  const { session, ended, login } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ username?: string; password?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={from} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const next: typeof errors = {};
    if (!username.trim()) next.username = t('login.usernameRequired');
    if (!password) next.password = t('login.passwordRequired');
    setErrors(next);
    setFailure(null);
    if (next.username || next.password) return;
    setBusy(true);
    try {
      await login(username.trim(), password);
      navigate(from, { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof NetworkError) setFailure(t('error.network'));
      else if (err instanceof ApiError && err.status === 429) {
        setFailure(t('login.throttled', { seconds: err.retryAfterSeconds ?? 60 }));
      } else if (err instanceof ApiError && err.status === 401) setFailure(t('login.wrong'));
      else if (err instanceof ApiError) setFailure(err.message);
      else setFailure(String(err));
    }
  };

  return (
    <div className="login">
      <main className="login-card">
        <h1>{t('login.title')}</h1>
        {ended === 'expired' && <Banner tone="warning" title={t('login.expired')} />}
        {ended === 'logout' && <Banner tone="info" title={t('login.signedOut')} />}
        {failure && <Banner tone="error" title={failure} />}
        <form onSubmit={submit} noValidate aria-label={t('login.title')}>
          <TextField
            label={t('login.username')}
            name="username"
            autoComplete="username"
            // The page is only this form: its first field taking focus is what users expect, and nothing before
            // it is skipped unheard (the banners above are live regions).
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            error={errors.username}
          />
          <TextField
            label={t('login.password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.password}
            hint={t('login.ldapHint')}
          />
          <Button type="submit" variant="primary" busy={busy}>
            {busy ? t('login.signingIn') : t('login.submit')}
          </Button>
        </form>
        <div className="login-prefs">
          <Preferences />
        </div>
      </main>
    </div>
  );
}
