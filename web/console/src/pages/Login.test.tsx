import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Route, Routes } from 'react-router';
import { fakeApi, renderWith } from '../test/render';
import Login from './Login';

function renderLogin(route: Parameters<typeof fakeApi>[0]) {
  const f = fakeApi(route);
  renderWith(
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route path="/" element={<div>overview page</div>} />
    </Routes>,
    { api: f.api, path: '/login' },
  );
  return f;
}

describe('Login', () => {
  it('checks the fields before sending', async () => {
    const { calls } = renderLogin(() => undefined);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByLabelText('User name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter your user name')).toBeTruthy();
    expect(screen.getByText('Enter your password')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('says so when the password is wrong, and stays signed out', async () => {
    renderLogin(() => ({ status: 401, body: { kind: 'Status', message: 'invalid user name or password', reason: 'Unauthorized' } }));
    await userEvent.type(screen.getByLabelText('User name'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('The user name or password is wrong.')).toBeTruthy();
    expect(localStorage.getItem('atrium.session')).toBeNull();
    expect(screen.queryByText('overview page')).toBeNull();
  });

  it('shows the wait when throttled', async () => {
    renderLogin(() => ({ status: 429, body: { message: 'too many login attempts', reason: 'TooManyRequests' } }));
    await userEvent.type(screen.getByLabelText('User name'), 'admin');
    await userEvent.type(screen.getByLabelText('Password'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/Too many attempts/)).toBeTruthy();
  });

  it('signs in with POST /api/v1/login and opens the console', async () => {
    const expires = Date.now() + 3600_000;
    const { calls } = renderLogin((method, url) =>
      method === 'POST' && url === '/api/v1/login'
        ? { status: 200, body: { token: 't', user: 'admin', expiresAt: new Date(expires).toISOString(), expiresAtMs: expires } }
        : undefined,
    );
    await userEvent.type(screen.getByLabelText('User name'), ' admin ');
    await userEvent.type(screen.getByLabelText('Password'), 'choose-a-long-one-1');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('overview page')).toBeTruthy();
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/login', body: { username: 'admin', password: 'choose-a-long-one-1' } });
    // the token stays in the HttpOnly cookie: only the user and expiry are kept
    expect(JSON.parse(localStorage.getItem('atrium.session')!)).toEqual({ user: 'admin', expiresAtMs: expires });
  });

  it('tells the user their session expired', async () => {
    const f = fakeApi(() => ({ status: 401, body: { message: 'session expired' } }));
    const { SessionProvider, useSession } = await import('../auth/session');
    const { render } = await import('@testing-library/react');
    const { ApiContext } = await import('../app/context');
    const { I18nProvider } = await import('../i18n');
    const { MemoryRouter } = await import('react-router');
    function Probe() {
      const { session } = useSession();
      return session ? <button type="button" onClick={() => void f.api.get('/api/v1/tokens').catch(() => {})}>call</button> : <Login />;
    }
    render(
      <ApiContext.Provider value={f.api}>
        <I18nProvider locale="en">
          <SessionProvider api={f.api} initial={{ user: 'dev', expiresAtMs: Date.now() + 3600_000 }}>
            <MemoryRouter>
              <Probe />
            </MemoryRouter>
          </SessionProvider>
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'call' }));
    await waitFor(() => expect(screen.getByText('Your session has expired. Please sign in again.')).toBeTruthy());
  });
});
